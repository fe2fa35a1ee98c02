# One function turns a generator plus parameters into the AOT libraries hnn links:
#   hnn_kernel(<name> GENERATOR <registered generator name> FROM <generator executable>
#              [PARAMS key=value ...])
# makes <name>_cpu (x86 multi-target, runtime dispatch over HNN_CPU_TARGETS) and, with HNN_CUDA,
# <name>_cuda (HNN_CUDA_TARGET), both sharing one Halide runtime, and adds them to
# the hnn_kernels interface library. The CUDA library also writes <name>_cuda.stmt (Halide's
# lowered statement) beside it, to review what the GPU schedule produced. Entry points are named <name>_cpu and <name>_cuda.

add_halide_runtime(hnn_halide_runtime TARGETS ${HNN_CUDA_TARGET})
add_library(hnn_kernels INTERFACE)
target_link_libraries(hnn_kernels INTERFACE hnn_halide_runtime)

function(hnn_kernel NAME)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "GENERATOR;FROM" "PARAMS")
  add_halide_library(${NAME}_cpu FROM ${ARG_FROM}
                     GENERATOR ${ARG_GENERATOR}
                     FUNCTION_NAME ${NAME}_cpu
                     TARGETS ${HNN_CPU_TARGETS}
                     USE_RUNTIME hnn_halide_runtime
                     PARAMS ${ARG_PARAMS})
  target_link_libraries(hnn_kernels INTERFACE ${NAME}_cpu)
  if (HNN_CUDA)
    add_halide_library(${NAME}_cuda FROM ${ARG_FROM}
                       GENERATOR ${ARG_GENERATOR}
                       FUNCTION_NAME ${NAME}_cuda
                       TARGETS ${HNN_CUDA_TARGET}
                       USE_RUNTIME hnn_halide_runtime
                       PARAMS ${ARG_PARAMS}
                       STMT ${NAME}_cuda_stmt
                       DEVICE_CODE ${NAME}_cuda_ptx)
    target_link_libraries(hnn_kernels INTERFACE ${NAME}_cuda)
    set_property(GLOBAL APPEND PROPERTY HNN_CUDA_PTX_FILES "${${NAME}_cuda_ptx}")
  endif ()
endfunction()

# hnn_generator(<family>) builds generators/<family>.cpp into the executable <family>.generator.
function(hnn_generator FAMILY)
  add_halide_generator(${FAMILY}.generator SOURCES ${FAMILY}.cpp)
  target_include_directories(${FAMILY}.generator PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
endfunction()
