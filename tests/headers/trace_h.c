/* SPDX-License-Identifier: MIT */
/* Compiles trace.h alone: it must include what it uses. */
#include "trace.h"

int main(void)
{
	return 0;
}
