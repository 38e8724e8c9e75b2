/* SPDX-License-Identifier: MIT */
/* Compiles net.h alone: it must include what it uses. */
#include "net.h"

int main(void)
{
	return 0;
}
