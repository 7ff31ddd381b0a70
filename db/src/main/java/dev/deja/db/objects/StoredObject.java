package dev.deja.db.objects;

import java.time.Instant;

/** One object found by {@link ObjectStore#list}: its URI, when it was written, and its size. */
public record StoredObject(String uri, Instant lastModified, long size) {}
