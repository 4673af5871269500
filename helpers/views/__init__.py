"""What a reader sees while an answer streams: Markdown split into frozen blocks, the redraw
throttle, reveal policies, the notebook view (``StreamView``) and pictures of what views cost."""
