package dev.deja.db;

/**
 * Where the stored images are: in PostgreSQL ({@code image_blob.bytes}) or in the object store
 * (rows holding only a {@code storage_uri}). A migration between the two moves rows from one side
 * to the other; at rest, every image is on the side the configuration writes to.
 */
public record ImagePlacement(
    long inDatabase, long bytesInDatabase, long inObjectStore, long bytesInObjectStore) {}
