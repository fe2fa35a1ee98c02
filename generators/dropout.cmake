hnn_generator(dropout)
hnn_kernel(dropout GENERATOR dropout FROM dropout.generator)
