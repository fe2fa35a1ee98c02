#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "support.h"

hnn::Device hnn::test::device() { return hnn::Device::cpu; }
