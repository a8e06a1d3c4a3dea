package dev.glmpipe.runs;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The most heap this JVM had in use at once, in bytes. The heap is fullest just before a
 * collection, so each collection's "before" figure (summed over the heap's pools, as the
 * collector reports them together) is a candidate, and so is the heap's use when read. Summing
 * each pool's own peak instead overstates it: the young and old pools do not peak together, and
 * such a sum can exceed {@code -Xmx}.
 *
 * <p>Collections are seen from {@link #watch()} on, which the launcher calls as a run starts; a
 * JVM runs one job.
 */
final class HeapPeak {
  private static final AtomicLong PEAK = new AtomicLong();
  private static boolean watching;  // guarded by the class: only watch() reads and sets it

  private HeapPeak() {}

  /** Starts listening to this JVM's collections (once; later calls do nothing). */
  static synchronized void watch() {
    if (watching) {
      return;
    }
    Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener((notification, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            PEAK.accumulateAndGet(used(info.getGcInfo().getMemoryUsageBeforeGc(), heapPools), Math::max);
          }
        }, null, null);
      }
    }
    watching = true;
  }

  /** The peak seen so far, the heap's use now included. */
  static long bytes() {
    return PEAK.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
  }

  private static long used(Map<String, MemoryUsage> pools, Set<String> heapPools) {
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : pools.entrySet()) {
      if (heapPools.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    return used;
  }
}
