// Package plot draws a training run's pictures as PNG files, each written
// atomically: the loss and accuracy curves of a train.History, a
// train.Confusion matrix as a heat map, a learning-rate sweep
// (train.FindLR), and line charts of any series (Lines).
//
// It is a package of its own so that package train, and programs that
// train without plotting, do not link gonum/plot and its fonts.
package plot
