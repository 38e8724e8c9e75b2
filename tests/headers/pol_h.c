/* SPDX-License-Identifier: MIT */
/* Compiles pol.h alone: it must include what it uses. */
#include "pol.h"

int main(void)
{
	return 0;
}
