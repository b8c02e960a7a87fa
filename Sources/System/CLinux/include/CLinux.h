/*
 * Linux interfaces the Swift Glibc module does not give us, with their real
 * types and constants: epoll and eventfd (headers SwiftGlibc.h leaves out),
 * malloc_trim, and small wrappers for what Swift cannot call directly —
 * accept4 (declared only under _GNU_SOURCE), and ioctl and prctl (variadic);
 * and atomics on a word of memory shared between processes, which Swift's
 * Synchronization module cannot place at an arbitrary address.
 */
#ifndef PROTEUS_CLINUX_H
#define PROTEUS_CLINUX_H

#include <malloc.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <stdint.h>

/** accept4(2). */
int proteus_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/** ioctl(2) for requests with an `int` out-parameter (SIOCINQ, SIOCOUTQ). */
int proteus_ioctl_int(int fd, unsigned long request, int *value);

/** prctl(PR_SET_PDEATHSIG, sig): `sig` arrives when the parent thread exits. */
int proteus_set_parent_death_signal(int sig);

/** Sequentially consistent load of a shared 64-bit word. */
static inline uint64_t proteus_atomic_load_u64(const uint64_t *word) {
    return __atomic_load_n(word, __ATOMIC_SEQ_CST);
}

/** Adds 1 to a shared 64-bit word; returns the new value. */
static inline uint64_t proteus_atomic_increment_u64(uint64_t *word) {
    return __atomic_add_fetch(word, 1, __ATOMIC_SEQ_CST);
}

/** Adds `amount` to a shared 64-bit word (a counter: relaxed, no ordering
 *  with other memory is needed). */
static inline void proteus_atomic_add_u64(uint64_t *word, uint64_t amount) {
    __atomic_fetch_add(word, amount, __ATOMIC_RELAXED);
}

/** Stores a shared 64-bit word (release: what was written before it is seen
 *  by a reader that loads it). */
static inline void proteus_atomic_store_u64(uint64_t *word, uint64_t value) {
    __atomic_store_n(word, value, __ATOMIC_RELEASE);
}

/** Sets a shared 64-bit word to `desired` if it holds `expected`; true when
 *  it did. */
static inline _Bool proteus_atomic_claim_u64(uint64_t *word, uint64_t expected, uint64_t desired) {
    return __atomic_compare_exchange_n(word, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

#endif
