"""Understanding residents: text normalisation, intent files, the classifier and its evaluation."""
