/*
 * Linux interfaces the Swift Glibc module does not give us, with their real
 * types and constants: epoll and eventfd (headers SwiftGlibc.h leaves out),
 * malloc_trim, and small wrappers for what Swift cannot call directly —
 * accept4 (declared only under _GNU_SOURCE), and ioctl and prctl (variadic).
 */
#ifndef PROTEUS_CLINUX_H
#define PROTEUS_CLINUX_H

#include <malloc.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <linux/sockios.h>

/** accept4(2). */
int proteus_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/** ioctl(2) for requests with an `int` out-parameter (SIOCINQ, SIOCOUTQ). */
int proteus_ioctl_int(int fd, unsigned long request, int *value);

/** prctl(PR_SET_PDEATHSIG, sig): `sig` arrives when the parent thread exits. */
int proteus_set_parent_death_signal(int sig);

#endif
