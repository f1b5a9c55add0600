/* xfer.h - file transfers: FS_READ streams a regular file under credit; FS_WRITE / FS_WDATA /
 * FS_WEND write one with WCREDIT acknowledgements and an fsync before the final FS_ENTRY. */
#ifndef AIRLOCK_XFER_H
#define AIRLOCK_XFER_H

#include "proto.h"

void xfer_read(struct rd *r);
bool xfer_read_credit(uint32_t chan, uint32_t bytes); /* false if chan is not a read */
void xfer_write(struct rd *r);
void xfer_wdata(struct rd *r);
void xfer_wend(struct rd *r);

#endif
