package dev.deja.server.cluster;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients sending image requests to random gateways until stopped, over a small set of prompts
 * (so most requests repeat one): counts the answers and every client error (a non-2xx status or
 * no answer at all).
 */
final class ClientLoad implements AutoCloseable {

  private final List<GatewayProcess> gateways;
  private final List<String> paths;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger errors = new AtomicInteger();
  private final List<String> errorSamples = new ArrayList<>();
  private volatile boolean running = true;

  ClientLoad(List<GatewayProcess> gateways, String name, int prompts, int clients) {
    this.gateways = gateways;
    this.paths = new ArrayList<>();
    for (int i = 0; i < prompts; i++) {
      paths.add(GatewayProcess.imagePath(name + " prompt " + i));
    }
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(this::loop, "client-load-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void loop() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (running) {
      GatewayProcess gateway = gateways.get(random.nextInt(gateways.size()));
      String path = paths.get(random.nextInt(paths.size()));
      requests.incrementAndGet();
      try {
        HttpResponse<byte[]> response = gateway.get(path);
        if (response.statusCode() / 100 != 2) {
          error(gateway.name() + " " + path + " -> " + response.statusCode() + " "
              + response.headers().firstValue("Cache-Status").orElse(""));
        }
      } catch (Exception e) {
        error(gateway.name() + " " + path + " -> " + e);
      }
    }
  }

  private void error(String what) {
    errors.incrementAndGet();
    synchronized (errorSamples) {
      if (errorSamples.size() < 5) {
        errorSamples.add(what);
      }
    }
  }

  int requests() {
    return requests.get();
  }

  int errors() {
    return errors.get();
  }

  List<String> errorSamples() {
    synchronized (errorSamples) {
      return List.copyOf(errorSamples);
    }
  }

  /** Stops the clients and waits for their last requests. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(35_000);
    }
  }
}
