/* SPDX-License-Identifier: MIT */
/* Compiles wl.h alone: it must include what it uses. */
#include "wl.h"

int main(void)
{
	return 0;
}
