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
