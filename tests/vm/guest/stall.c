/*
 * make vm-test only (issue 13): force lgpio's start-up race, by LD_PRELOAD, in the processes
 * the check starts with it. Never installed with the product.
 *
 * lgpio's alert thread (lgPthAlerts.c), finding no line claimed, unlocks its list and then
 * waits on a condition with no predicate; gpio_claim_alert signals it once. This shim stalls
 * that thread's first pthread_cond_wait by VM_TEST_STALL_MS (500 by default: longer than
 * gpiozero takes from opening the chip to claiming the line, even emulated), with the
 * condition's mutex free, so a claim made meanwhile signals nobody and the thread then waits
 * for ever: the lost wake-up, made certain instead of rare. Only calls from lgpio's own
 * library are touched (the caller's address names it); every later wait is left alone.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pthread_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex)
{
	static int (*real_wait)(pthread_cond_t *, pthread_mutex_t *);
	static int stalled;
	Dl_info caller;

	/* x86-64 keeps an older pthread_cond_wait (GLIBC_2.2.5) that plain dlsym would find, so
	 * the current one is asked for by its version; aarch64's glibc begins at GLIBC_2.17 and has
	 * only one, which dlvsym cannot find by that name (a NULL call: the arm64 service crashed). */
	if (!real_wait)
		real_wait = dlvsym(RTLD_NEXT, "pthread_cond_wait", "GLIBC_2.3.2");
	if (!real_wait)
		real_wait = dlsym(RTLD_NEXT, "pthread_cond_wait");
	if (!stalled && dladdr(__builtin_return_address(0), &caller) && caller.dli_fname &&
	    strstr(caller.dli_fname, "lgpio")) {
		const char *ms = getenv("VM_TEST_STALL_MS");

		stalled = 1;
		pthread_mutex_unlock(mutex);
		usleep(1000 * (ms ? atoi(ms) : 500));
		pthread_mutex_lock(mutex);
	}
	return real_wait(cond, mutex);
}
