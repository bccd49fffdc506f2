#!/usr/bin/perl
# The demo service at its cheapest start (HATC_UNIT=trivial): the same contract as
# demo-service.py (same arguments, answers, journal records and readiness), in Perl
# from perl-base plus Time::HiRes, because Python's start-up alone costs tens of
# milliseconds, which the failover benchmark would count as the unit's start.
#
# Answers its node name on `/` and 200 "pong" on `/dip/api/ping` (port 11200, any
# address); 503 on `/dip/api/ping` while the file --unhealthy-flag exists. Appends
# `start NODE NS PID` before the socket exists and `stop NODE NS PID` after it is
# closed to the shared journal (CLOCK_REALTIME nanoseconds, each record fsync'ed), so
# check-journal proves that no two nodes ever served at the same time. READY=1 to
# systemd once listening (Type=notify). One connection at a time; a client gets 1 s
# to send its request head.
use strict;
use warnings;
use Getopt::Long qw(GetOptions);
use IO::Handle;
use IO::Select;
use IO::Socket::INET;
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM SOCK_STREAM);
use Time::HiRes qw(gettimeofday);

my ($node, $journal, $port, $flag) = ("", "", 11200, "");
GetOptions("node=s" => \$node, "journal=s" => \$journal, "port=i" => \$port, "unhealthy-flag=s" => \$flag)
  && $node ne "" && $journal ne ""
  or die "usage: demo-service.pl --node NODE --journal FILE [--port N] [--unhealthy-flag FILE]\n";

sub record {
    my ($kind) = @_;
    my ($s, $us) = gettimeofday();
    open(my $fh, ">>", $journal) or die "demo-service: $journal: $!\n";
    print $fh sprintf("%s %s %d%06d000 %d\n", $kind, $node, $s, $us, $$);
    $fh->flush;
    $fh->sync or die "demo-service: fsync $journal: $!\n";
    close($fh);
}

sub sd_notify {
    my ($msg) = @_;
    my $addr = $ENV{NOTIFY_SOCKET} or return;
    $addr = "\0" . substr($addr, 1) if substr($addr, 0, 1) eq "@";
    my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Peer => $addr) or die "demo-service: NOTIFY_SOCKET: $!\n";
    $s->send($msg);
    close($s);
}

# The interval is recorded conservatively: "start" before the socket exists,
# "stop" after it is closed.
record("start");
my $server = IO::Socket::INET->new(
    LocalAddr => "0.0.0.0", LocalPort => $port, Proto => "tcp", Type => SOCK_STREAM,
    Listen => 128, ReuseAddr => 1,
) or die "demo-service: listen on port $port: $!\n";

my $stopping = 0;
$SIG{TERM} = $SIG{INT} = sub { $stopping = 1 };
sd_notify("READY=1\nSTATUS=serving on port $port");

my $select = IO::Select->new($server);
until ($stopping) {
    next unless $select->can_read(0.05);   # wakes at least every 50 ms to see a stop
    my $client = $server->accept or next;
    serve($client);
}
close($server);
record("stop");
exit 0;

sub serve {
    my ($c) = @_;
    my ($head, $buf) = ("", "");
    my $ready = IO::Select->new($c);
    while ($head !~ /\r?\n\r?\n/ && length($head) < 16384) {
        last unless $ready->can_read(1);
        my $n = sysread($c, $buf, 4096);
        last unless $n;
        $head .= $buf;
    }
    my ($path) = $head =~ m{^[A-Z]+ (\S+)};
    my ($status, $body) = ("404 Not Found", "not found\n");
    if (defined $path && $path eq "/dip/api/ping") {
        ($status, $body) = ($flag ne "" && -e $flag) ? ("503 Service Unavailable", "unhealthy\n") : ("200 OK", "pong\n");
    } elsif (defined $path && $path eq "/") {
        ($status, $body) = ("200 OK", "$node\n");
    }
    syswrite($c, "HTTP/1.0 $status\r\nContent-Type: text/plain\r\nContent-Length: " . length($body)
                 . "\r\nConnection: close\r\n\r\n$body");
    close($c);
}
