hnn_generator(gather)
hnn_kernel(gather_rows GENERATOR gather_rows FROM gather.generator)
hnn_kernel(gather_labels GENERATOR gather_labels FROM gather.generator)
# The minibatch gather from a dataset's bytes (CPU only; see GatherBytes).
add_halide_library(gather_bytes_cpu FROM gather.generator
                   GENERATOR gather_bytes
                   FUNCTION_NAME gather_bytes_cpu
                   TARGETS ${HNN_CPU_TARGETS}
                   USE_RUNTIME hnn_halide_runtime)
target_link_libraries(hnn_kernels INTERFACE gather_bytes_cpu)
