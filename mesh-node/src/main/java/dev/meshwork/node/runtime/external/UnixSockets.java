package dev.meshwork.node.runtime.external;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * gRPC over Unix domain sockets (Netty's epoll transport, shipped inside grpc-netty-shaded for
 * Linux), for a node and the child processes of its isolated slots: only processes that may open
 * the socket's directory can call, so that hop needs no port, no TLS and no secret. Stateless; the
 * client event loop is shared by all channels of the process.
 */
public final class UnixSockets {
    private UnixSockets() {
    }

    private static final class ClientLoop {
        static final EpollEventLoopGroup GROUP = new EpollEventLoopGroup(1, Thread.ofPlatform().daemon().name("meshwork-uds-", 0).factory());
    }

    /** A server builder bound to {@code socket} (a file left there by a dead process is replaced). */
    public static NettyServerBuilder server(Path socket) {
        requireEpoll();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EpollEventLoopGroup loop = new EpollEventLoopGroup(1);
        return NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
                .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(loop).workerEventLoopGroup(loop);
    }

    /** Makes a channel builder for a {@code unix://} target use the domain-socket transport. */
    public static NettyChannelBuilder client(NettyChannelBuilder b) {
        requireEpoll();
        // gRPC asks every channel for TCP keep-alive, which a domain socket does not have (Netty warns at every connect)
        return b.channelType(EpollDomainSocketChannel.class, DomainSocketAddress.class).eventLoopGroup(ClientLoop.GROUP)
                .withOption(ChannelOption.SO_KEEPALIVE, null);
    }

    private static void requireEpoll() {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("a Unix domain socket needs Netty's epoll transport (Linux): " + Epoll.unavailabilityCause());
        }
    }
}
