/* SPDX-License-Identifier: MIT */
/* sha512s.c - SHA-512 in its compact shape, one round at a time, for d20:
 * the same code as sha512.c (which d20d and the tests use), built for
 * size. d20 hashes a few kilobytes in its life and must fit an initramfs
 * budget (README, "Sizes"); the server hashes every request. */
#define SHA512_SMALL 1
#include "sha512.c"
