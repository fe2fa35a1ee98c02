# Direct convolutions come in two variants, vectorized over columns (few channels) or over
# channels (>= 16 of them); runtime/conv2d.cpp picks one per call.
hnn_generator(conv2d)
foreach (act none relu sigmoid)
  set(prefix conv2d_)
  if (NOT act STREQUAL "none")
    set(prefix conv2d_${act}_)
  endif ()
  hnn_kernel(${prefix}forward GENERATOR conv2d_forward FROM conv2d.generator PARAMS activation=${act})
  hnn_kernel(${prefix}channels_forward GENERATOR conv2d_forward FROM conv2d.generator
             PARAMS activation=${act} channel_vectors=true)
endforeach ()
hnn_kernel(conv2d_backward_input GENERATOR conv2d_backward_input FROM conv2d.generator)
hnn_kernel(conv2d_channels_backward_input GENERATOR conv2d_backward_input FROM conv2d.generator PARAMS channel_vectors=true)
hnn_kernel(conv2d_backward_weight GENERATOR conv2d_backward_weight FROM conv2d.generator)
hnn_kernel(conv2d_channels_backward_weight GENERATOR conv2d_channels_backward_weight FROM conv2d.generator)
hnn_kernel(conv2d_backward_bias GENERATOR conv2d_backward_bias FROM conv2d.generator)
hnn_kernel(conv1x1_forward GENERATOR conv1x1_forward FROM conv2d.generator)
hnn_kernel(conv1x1_backward_input GENERATOR conv1x1_forward FROM conv2d.generator PARAMS transposed=true)
hnn_kernel(conv1x1_backward_weight GENERATOR conv1x1_backward_weight FROM conv2d.generator)
# The channel-vectorized forward for rows of 10-15 outputs (LeNet c2), CPU only (see
# Conv2dForward's narrow_rows); CUDA runs the general kernels.
foreach (act none relu sigmoid)
  set(prefix conv2d_)
  if (NOT act STREQUAL "none")
    set(prefix conv2d_${act}_)
  endif ()
  add_halide_library(${prefix}narrow_forward_cpu FROM conv2d.generator
                     GENERATOR conv2d_forward
                     FUNCTION_NAME ${prefix}narrow_forward_cpu
                     TARGETS ${HNN_CPU_TARGETS}
                     USE_RUNTIME hnn_halide_runtime
                     PARAMS activation=${act} narrow_rows=true)
  target_link_libraries(hnn_kernels INTERFACE ${prefix}narrow_forward_cpu)
  # The same with the output stored channels-last, for the pool and backward kernels that
  # read it so (LeNet c2; runtime/conv2d.h's conv2d_channels_last_pooled), without padding: the
  # input read in place.
  add_halide_library(${prefix}narrow_cl_forward_cpu FROM conv2d.generator
                     GENERATOR conv2d_forward
                     FUNCTION_NAME ${prefix}narrow_cl_forward_cpu
                     TARGETS ${HNN_CPU_TARGETS}
                     USE_RUNTIME hnn_halide_runtime
                     PARAMS activation=${act} narrow_rows=true channels_last=true unpadded=true)
  target_link_libraries(hnn_kernels INTERFACE ${prefix}narrow_cl_forward_cpu)
endforeach ()
# d_weight and d_bias of a conv followed by a 2x2 average pool, from the pool's d_output
# (LeNet c1: see PooledRow in conv2d.cpp; c2: the channel-vectorized one), CPU only.
# c1's in chunks of 8 images: 16 tasks for a batch of 128, not 8, so neither core waits long
# for the other's last chunk (same-process A/B inside epochs: 0.92x-0.94x the kernel's time);
# its zero-extended input made per chunk (chunk_padded: 0.90x-0.96x).
add_halide_library(conv2d_pooled_backward_weight_cpu FROM conv2d.generator
                   GENERATOR conv2d_backward_weight
                   FUNCTION_NAME conv2d_pooled_backward_weight_cpu
                   TARGETS ${HNN_CPU_TARGETS}
                   USE_RUNTIME hnn_halide_runtime
                   PARAMS pooled=true batch_chunk=8 chunk_padded=true)
add_halide_library(conv2d_channels_pooled_backward_weight_cpu FROM conv2d.generator
                   GENERATOR conv2d_channels_backward_weight
                   FUNCTION_NAME conv2d_channels_pooled_backward_weight_cpu
                   TARGETS ${HNN_CPU_TARGETS}
                   USE_RUNTIME hnn_halide_runtime
                   PARAMS pooled=true)
target_link_libraries(hnn_kernels INTERFACE conv2d_pooled_backward_weight_cpu conv2d_channels_pooled_backward_weight_cpu)
# c2's d_weight and d_bias from its channels-last output (conv2d_channels_last_pooled), its
# input read in place (no padding).
add_halide_library(conv2d_channels_pooled_cl_backward_weight_cpu FROM conv2d.generator
                   GENERATOR conv2d_channels_backward_weight
                   FUNCTION_NAME conv2d_channels_pooled_cl_backward_weight_cpu
                   TARGETS ${HNN_CPU_TARGETS}
                   USE_RUNTIME hnn_halide_runtime
                   PARAMS pooled=true channels_last=true unpadded=true)
target_link_libraries(hnn_kernels INTERFACE conv2d_channels_pooled_cl_backward_weight_cpu)
