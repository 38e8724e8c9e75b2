/* SPDX-License-Identifier: MIT */
/* Compiles mem.h alone: it must include what it uses. */
#include "mem.h"

int main(void)
{
	return 0;
}
