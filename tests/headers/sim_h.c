/* SPDX-License-Identifier: MIT */
/* Compiles sim.h alone: it must include what it uses. */
#include "sim.h"

int main(void)
{
	return 0;
}
