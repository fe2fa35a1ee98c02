hnn_generator(corr2d)
hnn_kernel(corr2d_forward GENERATOR corr2d_forward FROM corr2d.generator)
