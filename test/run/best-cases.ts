// Shared by the tfjs and torch tests of early stopping and best/.

// a learning rate high enough that the validation loss goes up and down from epoch to epoch
export const NOISY = `network mlp {
  input 28x28x1
  flatten
  dense 16 relu
  highway dense relu gate_bias=-1
  dense 10 softmax
}
train {
  optimizer sgd momentum=0.9
  lr 0.3
  batch 50
  epochs 6
  seed 3
}
`;
