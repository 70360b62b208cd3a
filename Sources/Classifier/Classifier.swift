// Classifier
