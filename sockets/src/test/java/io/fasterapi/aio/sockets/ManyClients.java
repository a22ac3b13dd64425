package io.fasterapi.aio.sockets;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The clients of {@code tenThousandVirtualThreads}, in a process of their own (10,000 connections
 * at both ends would pass one process's descriptor limit): {@code host port count} opens that many
 * JDK sockets on virtual threads, each sends its number and checks the echo, then holds its
 * connection until every one has been checked; prints {@code OK n} with the number checked.
 */
public final class ManyClients {
    public static void main(String[] args) throws Exception {
        InetSocketAddress at = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        Semaphore connecting = new Semaphore(256); // the listen queue holds so many SYNs at once
        CountDownLatch checked = new CountDownLatch(count);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ok = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            threads.add(Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket()) {
                    connecting.acquire();
                    try {
                        s.connect(at, 30_000);
                    } finally {
                        connecting.release();
                    }
                    s.setSoTimeout(60_000);
                    byte[] msg = ByteBuffer.allocate(8).putInt(n).putInt(~n).array();
                    OutputStream out = s.getOutputStream();
                    out.write(msg);
                    byte[] back = new DataInputStream(s.getInputStream()).readNBytes(8);
                    if (java.util.Arrays.equals(msg, back)) ok.incrementAndGet();
                    checked.countDown();
                    release.await(); // every connection stays open until all were checked
                } catch (Exception e) {
                    System.err.println("client " + n + ": " + e);
                    checked.countDown();
                }
            }));
        }
        checked.await();
        System.out.println("OK " + ok.get());
        System.out.flush();
        release.countDown();
        for (Thread t : threads) t.join();
    }
}
