/* SPDX-License-Identifier: MIT */
/* Compiles rec.h alone: it must include what it uses. */
#include "rec.h"

int main(void)
{
	return 0;
}
