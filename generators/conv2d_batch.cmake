# conv2d's d_input with the batch in the vector lanes (CPU only; CUDA runs conv2d_backward_input).
hnn_generator(conv2d_batch)
add_halide_library(conv2d_batch_backward_input_cpu FROM conv2d_batch.generator
                   GENERATOR conv2d_batch_backward_input
                   FUNCTION_NAME conv2d_batch_backward_input_cpu
                   TARGETS ${HNN_CPU_TARGETS}
                   USE_RUNTIME hnn_halide_runtime)
target_link_libraries(hnn_kernels INTERFACE conv2d_batch_backward_input_cpu)
# The same from a following 2x2 average pool's d_output (LeNet c2; see conv2d_backward_avg_pooled).
add_halide_library(conv2d_batch_pooled_backward_input_cpu FROM conv2d_batch.generator
                   GENERATOR conv2d_batch_backward_input
                   FUNCTION_NAME conv2d_batch_pooled_backward_input_cpu
                   TARGETS ${HNN_CPU_TARGETS}
                   USE_RUNTIME hnn_halide_runtime
                   PARAMS pooled=true)
target_link_libraries(hnn_kernels INTERFACE conv2d_batch_pooled_backward_input_cpu)
# The same from a channels-last conv output (LeNet c2; see conv2d_channels_last_pooled).
add_halide_library(conv2d_batch_pooled_cl_backward_input_cpu FROM conv2d_batch.generator
                   GENERATOR conv2d_batch_backward_input
                   FUNCTION_NAME conv2d_batch_pooled_cl_backward_input_cpu
                   TARGETS ${HNN_CPU_TARGETS}
                   USE_RUNTIME hnn_halide_runtime
                   PARAMS pooled=true channels_last=true)
target_link_libraries(hnn_kernels INTERFACE conv2d_batch_pooled_cl_backward_input_cpu)
add_halide_library(conv2d_batch_pooled_clb_backward_input_cpu FROM conv2d_batch.generator
                   GENERATOR conv2d_batch_backward_input
                   FUNCTION_NAME conv2d_batch_pooled_clb_backward_input_cpu
                   TARGETS ${HNN_CPU_TARGETS}
                   USE_RUNTIME hnn_halide_runtime
                   PARAMS pooled=true channels_last=true blocked=true)
target_link_libraries(hnn_kernels INTERFACE conv2d_batch_pooled_clb_backward_input_cpu)
