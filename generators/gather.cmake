hnn_generator(gather)
hnn_kernel(gather_rows GENERATOR gather_rows FROM gather.generator)
hnn_kernel(gather_labels GENERATOR gather_labels FROM gather.generator)
