hnn_generator(pool2d)
foreach (mode max avg)
  hnn_kernel(pool2d_${mode}_forward GENERATOR pool2d_forward FROM pool2d.generator PARAMS mode=${mode})
  hnn_kernel(pool2d_${mode}_backward GENERATOR pool2d_backward FROM pool2d.generator PARAMS mode=${mode})
endforeach ()
# The window 2, stride 2, no padding case on flattened rows (CPU only: the runtime takes it on
# host memory; CUDA runs the general kernels).
foreach (mode max avg)
  foreach (dir forward backward)
    add_halide_library(pool2x2_${mode}_${dir}_cpu FROM pool2d.generator
                       GENERATOR pool2x2_${dir}
                       FUNCTION_NAME pool2x2_${mode}_${dir}_cpu
                       TARGETS ${HNN_CPU_TARGETS}
                       USE_RUNTIME hnn_halide_runtime
                       PARAMS mode=${mode})
    target_link_libraries(hnn_kernels INTERFACE pool2x2_${mode}_${dir}_cpu)
  endforeach ()
endforeach ()
# The backward of a 2x2 pool times the slope of the activation fused into the conv before it
# (CPU only, as above); runtime/pool2d.cpp's pool2d_backward_activation.
foreach (mode max avg)
  foreach (act relu sigmoid)
    add_halide_library(pool2x2_${mode}_${act}_backward_cpu FROM pool2d.generator
                       GENERATOR pool2x2_act_backward
                       FUNCTION_NAME pool2x2_${mode}_${act}_backward_cpu
                       TARGETS ${HNN_CPU_TARGETS}
                       USE_RUNTIME hnn_halide_runtime
                       PARAMS mode=${mode} activation=${act})
    target_link_libraries(hnn_kernels INTERFACE pool2x2_${mode}_${act}_backward_cpu)
  endforeach ()
endforeach ()
# The 2x2 average pool of a channels-last conv output into NCHW (LeNet c2; see
# runtime/conv2d.h's conv2d_channels_last_pooled).
add_halide_library(pool2x2_avg_channels_last_cpu FROM pool2d.generator
                   GENERATOR pool2x2_avg_channels_last
                   FUNCTION_NAME pool2x2_avg_channels_last_cpu
                   TARGETS ${HNN_CPU_TARGETS}
                   USE_RUNTIME hnn_halide_runtime)
target_link_libraries(hnn_kernels INTERFACE pool2x2_avg_channels_last_cpu)
