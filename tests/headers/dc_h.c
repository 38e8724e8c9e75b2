/* SPDX-License-Identifier: MIT */
/* Compiles dc.h alone: it must include what it uses. */
#include "dc.h"

int main(void)
{
	return 0;
}
