/* The wrappers of CLinux.h: compiled with _GNU_SOURCE, which accept4 needs. */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include "CLinux.h"

int proteus_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int proteus_ioctl_int(int fd, unsigned long request, int *value) {
    return ioctl(fd, request, value);
}

int proteus_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0UL, 0UL, 0UL);
}
