#include "dc_internal.h"
