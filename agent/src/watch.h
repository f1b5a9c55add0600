/* watch.h - FS_WATCH / FS_UNWATCH: inotify on a path, optionally recursive, reported as
 * FS_EVENT frames with names relative to the watched path. */
#ifndef AIRLOCK_WATCH_H
#define AIRLOCK_WATCH_H

#include "proto.h"

void watch_start(struct rd *r);
void watch_stop(struct rd *r);

#endif
