/* SPDX-License-Identifier: MIT */
/*
 * Criterion 2.4.1 (Debian 12's libcriterion-dev) evaluates the tagged
 * gt(Tag, a, b) of its new assertion API as !(a < b), that is a >= b:
 * cr_expect(gt(u64, n, 0)) passed with n = 0. The bug is Criterion's
 * issue 473, fixed after 2.4.1 by its pull request 487. tests/meson.build
 * includes this header before every test source (-include), so every
 * test gets the tagged gt as b < a, which is right with any version (and
 * the tagged ge as b < a or a == b, which no NaN passes).
 * Only the operator macros are included (their header has its own
 * guard), so the sources that use the old assertion API keep it.
 */
#ifndef VDCSIM_TESTS_CRITERION_GT_H
#define VDCSIM_TESTS_CRITERION_GT_H

#include <criterion/internal/assert/op.h>

#ifndef __cplusplus
#undef CRI_BINOP_T_GT
#define CRI_BINOP_T_GT(Tag, Actual, Ref) (CRI_BINOP_LT_TAG(Tag, , Ref, Actual))
/* Its tagged ge is !(a < b) || a == b, which a NaN passes: b < a or a == b
 * instead, false for a NaN as the other comparisons are. */
#undef CRI_BINOP_T_GE
#define CRI_BINOP_T_GE(Tag, Actual, Ref)                                      \
	(CRI_BINOP_LT_TAG(Tag, , Ref, Actual) ||                              \
	 CRI_BINOP_EQ_TAG(Tag, , Actual, Ref))
#endif

#endif
