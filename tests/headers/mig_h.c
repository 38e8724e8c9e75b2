/* SPDX-License-Identifier: MIT */
/* Compiles mig.h alone: it must include what it uses. */
#include "mig.h"

int main(void)
{
	return 0;
}
