/* faultvfs.h - disk trouble on demand, for tests.
 *
 * When the environment variable CORRAL_FAULT_DISKFULL names a file, every
 * database the store opens goes through a VFS that fails writes with
 * SQLITE_FULL ("database or disk is full") for as long as that file
 * exists.  tests/integration/t0530-disk.sh uses it; without the variable
 * nothing changes.
 */
#ifndef CORRAL_STORE_FAULTVFS_H
#define CORRAL_STORE_FAULTVFS_H

/* The VFS name to open databases with: "corral-fault" when the variable is
 * set (registered at the first call), else NULL (SQLite's default). */
const char *store_fault_vfs(void);

#endif
