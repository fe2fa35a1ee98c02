hnn_generator(optim)
hnn_kernel(sgd_update GENERATOR sgd_update FROM optim.generator)
hnn_kernel(adam_update GENERATOR adam_update FROM optim.generator)
