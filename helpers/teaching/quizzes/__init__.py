"""Each lesson's graded quiz, one module per lesson: the questions live here so the notebook does not show the answers."""
