/* SPDX-License-Identifier: MIT */
/* Compiles cpu.h alone: it must include what it uses. */
#include "cpu.h"

int main(void)
{
	return 0;
}
