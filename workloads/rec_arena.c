/* SPDX-License-Identifier: MIT */
/*
 * The tracked arena of the recorder: an anonymous mapping whose written
 * pages are read back at each sample and write-protected again, as a
 * hypervisor reads and cleans its dirty log ([Clark05] §4 read Xen's every
 * 50 ms). Two mechanisms give the same pages:
 *
 * - userfaultfd write-protection in asynchronous mode (Linux 6.7 and
 *   later): a store to a protected page is resolved by the kernel without
 *   a message and leaves the page "written"; the PAGEMAP_SCAN ioctl on
 *   /proc/self/pagemap lists the written pages and protects them again in
 *   one walk ([LinuxUffd], [LinuxPagemap]);
 * - mprotect: the arena is read-only; the first store to a page raises
 *   SIGSEGV, whose handler marks the page and makes it writable; each
 *   collect makes the whole arena read-only again (one call, so the
 *   mapping never splits into more areas than the pages one sample
 *   writes).
 *
 * Every page is touched once before protection, so a later first read
 * never maps the shared zero page (which the scan would count as written).
 */
#include "rec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

/* The kernel interfaces newer than the installed headers (Linux 6.7). */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start, end, categories;
};
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_WRITTEN (1 << 1)
#define PM_SCAN_WP_MATCHING (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#endif

const char *const rec_mech_names[] = {"auto", "uffd", "mprotect", NULL};

#define SCAN_VEC 4096

struct rec_arena {
	unsigned char *base;
	uint64_t bytes, npages;
	rec_mech mech;
	int uffd, pagemap;
	struct page_region *vec;     /* uffd: [SCAN_VEC] */
	volatile unsigned char *mark; /* mprotect: [npages] */
	struct sigaction old;
};

/* The arena the SIGSEGV handler serves (one at a time). */
static rec_arena *volatile seg_arena;

static void seg_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	rec_arena *a = seg_arena;
	unsigned char *p = si->si_addr;
	if (a && si->si_code == SEGV_ACCERR && p >= a->base &&
	    p < a->base + a->bytes) {
		uint64_t pg = (uint64_t)(p - a->base) / REC_PAGE;
		a->mark[pg] = 1;
		if (mprotect(a->base + pg * REC_PAGE, REC_PAGE,
			     PROT_READ | PROT_WRITE) == 0)
			return;
		static const char msg[] = "vdcsim: trace-record: mprotect "
			"failed: too many separate pages written in one sample "
			"for vm.max_map_count (use --mechanism uffd or a "
			"shorter --interval)\n";
		ssize_t w = write(2, msg, sizeof msg - 1);
		(void)w;
		_exit(1);
	}
	/* Not ours: the default action, at once. */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Why the kernel refuses asynchronous userfaultfd write-protection, or
 * NULL once a->uffd and a->pagemap are ready over the arena. */
static const char *uffd_setup(rec_arena *a)
{
	a->uffd = -1;
	a->pagemap = -1;
#ifdef SYS_userfaultfd
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == EPERM ? "userfaultfd refused (EPERM: "
			"vm.unprivileged_userfaultfd is 0 and the process lacks "
			"CAP_SYS_PTRACE)"
		     : errno == ENOSYS ? "userfaultfd not in this kernel (ENOSYS)"
				       : "userfaultfd failed";
	struct uffdio_api probe = {.api = UFFD_API, .features = 0};
	if (ioctl(fd, UFFDIO_API, &probe) != 0) {
		close(fd);
		return "userfaultfd API handshake failed";
	}
	close(fd);
	if (!(probe.features & UFFD_FEATURE_WP_ASYNC))
		return "the kernel lacks UFFD_FEATURE_WP_ASYNC (Linux 6.7+)";
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return "userfaultfd failed";
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = UFFD_FEATURE_WP_ASYNC |
			    (probe.features & UFFD_FEATURE_WP_UNPOPULATED),
	};
	struct uffdio_register reg = {
		.range = {(uintptr_t)a->base, a->bytes},
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	struct uffdio_writeprotect wp = {
		.range = {(uintptr_t)a->base, a->bytes},
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};
	if (ioctl(fd, UFFDIO_API, &api) != 0 ||
	    ioctl(fd, UFFDIO_REGISTER, &reg) != 0 ||
	    ioctl(fd, UFFDIO_WRITEPROTECT, &wp) != 0) {
		close(fd);
		return "userfaultfd write-protection of the arena failed";
	}
	a->uffd = fd;
	a->pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (a->pagemap < 0) {
		close(fd);
		a->uffd = -1;
		return "/proc/self/pagemap cannot be opened";
	}
	a->vec = sim_xcalloc(SCAN_VEC, sizeof *a->vec);
	/* A first scan: the kernel has PAGEMAP_SCAN and reports nothing
	 * written right after protection. */
	struct pm_scan_arg arg = {
		.size = sizeof arg,
		.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
		.start = (uintptr_t)a->base,
		.end = (uintptr_t)a->base + a->bytes,
		.vec = (uintptr_t)a->vec,
		.vec_len = SCAN_VEC,
		.category_mask = PAGE_IS_WRITTEN,
		.return_mask = PAGE_IS_WRITTEN,
	};
	if (ioctl(a->pagemap, PAGEMAP_SCAN, &arg) != 0) {
		close(a->pagemap);
		close(a->uffd);
		a->uffd = a->pagemap = -1;
		free(a->vec);
		a->vec = NULL;
		return "the kernel lacks the PAGEMAP_SCAN ioctl (Linux 6.7+)";
	}
	return NULL;
#else
	return "userfaultfd is not available on this system";
#endif
}

static int mprotect_setup(rec_arena *a, sim_diag *d)
{
	if (seg_arena) {
		sim_diag_error(d, "trace-record", 0, 0, "an mprotect arena "
			       "exists already (expected one at a time)");
		return SIM_EINPUT;
	}
	a->mark = sim_xcalloc(a->npages, 1);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = seg_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	seg_arena = a;
	if (sigaction(SIGSEGV, &sa, &a->old) != 0 ||
	    mprotect(a->base, a->bytes, PROT_READ) != 0) {
		seg_arena = NULL;
		sim_diag_error(d, "trace-record", 0, 0, "cannot protect the "
			       "arena: %s", strerror(errno));
		return SIM_EIO;
	}
	return 0;
}

int rec_arena_create(uint64_t bytes, rec_mech m, rec_arena **out,
		     const char **note, sim_diag *d)
{
	*out = NULL;
	*note = NULL;
	if (bytes < REC_ARENA_MIN || bytes > REC_ARENA_MAX || bytes % REC_PAGE) {
		sim_diag_error(d, "trace-record", 0, 0, "arena of %llu bytes "
			       "(expected a multiple of 4 KiB from 1 MiB to 4 GiB)",
			       (unsigned long long)bytes);
		return SIM_EINPUT;
	}
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		sim_diag_error(d, "trace-record", 0, 0, "cannot map an arena of "
			       "%llu MiB: %s", (unsigned long long)(bytes >> 20),
			       strerror(errno));
		return SIM_EIO;
	}
	rec_arena *a = sim_xcalloc(1, sizeof *a);
	a->base = p;
	a->bytes = bytes;
	a->npages = bytes / REC_PAGE;
	a->uffd = a->pagemap = -1;
	/* Base pages only: a huge page would be tracked as one. */
	madvise(p, bytes, MADV_NOHUGEPAGE);
	for (uint64_t i = 0; i < a->npages; i++)
		a->base[i * REC_PAGE] = 0;
	const char *why = NULL;
	if (m != REC_MECH_MPROTECT) {
		why = uffd_setup(a);
		if (why && m == REC_MECH_UFFD) {
			sim_diag_error(d, "trace-record", 0, 0, "--mechanism uffd: "
				       "%s (expected a Linux 6.7+ kernel that "
				       "allows userfaultfd, or --mechanism auto)",
				       why);
			rec_arena_destroy(a);
			return SIM_EINPUT;
		}
	}
	if (m == REC_MECH_MPROTECT || why) {
		int rc = mprotect_setup(a, d);
		if (rc != 0) {
			rec_arena_destroy(a);
			return rc;
		}
		a->mech = REC_MECH_MPROTECT;
		*note = why;
	} else {
		a->mech = REC_MECH_UFFD;
	}
	*out = a;
	return 0;
}

rec_mech rec_arena_mech(const rec_arena *a)
{
	return a->mech;
}

void *rec_arena_base(const rec_arena *a)
{
	return a->base;
}

uint64_t rec_arena_bytes(const rec_arena *a)
{
	return a->bytes;
}

static void collect_uffd(rec_arena *a, uint32_t *pages, size_t *n)
{
	uint64_t start = (uintptr_t)a->base, end = start + a->bytes;
	while (start < end) {
		struct pm_scan_arg arg = {
			.size = sizeof arg,
			.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
			.start = start,
			.end = end,
			.vec = (uintptr_t)a->vec,
			.vec_len = SCAN_VEC,
			.category_mask = PAGE_IS_WRITTEN,
			.return_mask = PAGE_IS_WRITTEN,
		};
		long r = ioctl(a->pagemap, PAGEMAP_SCAN, &arg);
		if (r < 0)
			sim_panic("trace-record: PAGEMAP_SCAN failed: %s",
				  strerror(errno));
		for (long i = 0; i < r; i++)
			for (uint64_t q = a->vec[i].start; q < a->vec[i].end;
			     q += REC_PAGE)
				pages[(*n)++] = (uint32_t)((q - (uintptr_t)a->base) /
							   REC_PAGE);
		if (arg.walk_end <= start)
			sim_panic("trace-record: PAGEMAP_SCAN made no progress");
		start = arg.walk_end;
	}
}

void rec_arena_collect(rec_arena *a, uint32_t *pages, size_t *n)
{
	*n = 0;
	if (a->mech == REC_MECH_UFFD) {
		collect_uffd(a, pages, n);
		return;
	}
	for (uint64_t i = 0; i < a->npages; i++)
		if (a->mark[i]) {
			a->mark[i] = 0;
			pages[(*n)++] = (uint32_t)i;
		}
	if (*n && mprotect(a->base, a->bytes, PROT_READ) != 0)
		sim_panic("trace-record: mprotect failed: %s", strerror(errno));
}

void rec_arena_destroy(rec_arena *a)
{
	if (!a)
		return;
	if (a->mech == REC_MECH_MPROTECT && seg_arena == a) {
		sigaction(SIGSEGV, &a->old, NULL);
		seg_arena = NULL;
	}
	if (a->pagemap >= 0)
		close(a->pagemap);
	if (a->uffd >= 0)
		close(a->uffd);
	munmap(a->base, a->bytes);
	free(a->vec);
	free((void *)a->mark);
	free(a);
}
