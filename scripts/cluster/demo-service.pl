#!/usr/bin/perl
# The demo service at its cheapest start (HATC_UNIT=trivial): the same contract as
# demo-service.py (same arguments, answers, journal records and readiness), in Perl with
# built-in functions only. Python's start-up alone costs tens of milliseconds, and so does
# loading Perl's socket and time modules on a busy machine; the failover benchmark would
# count that as the unit's start. So the Linux constants are spelled out here (the generic
# values: x86_64 and aarch64), and the clock is read with the clock_gettime system call
# (Time::HiRes only on another architecture).
#
# Answers its node name on `/` and 200 "pong" on `/dip/api/ping` (port 11200, any
# address); 503 on `/dip/api/ping` while the file --unhealthy-flag exists. Appends
# `start NODE NS PID` before the socket exists and `stop NODE NS PID` after it is
# closed to the shared journal (CLOCK_REALTIME nanoseconds, written with O_SYNC), so
# check-journal proves that no two nodes ever served at the same time. READY=1 to
# systemd once listening (Type=notify). One connection at a time; a client gets 1 s
# to send its request head.
use strict;

# Constants as subroutines (`use constant` would load warnings.pm).
sub AF_UNIX() { 1 }  sub AF_INET() { 2 }  sub SOCK_STREAM() { 1 }  sub SOCK_DGRAM() { 2 }
sub SOL_SOCKET() { 1 }  sub SO_REUSEADDR() { 2 }  sub CLOCK_REALTIME() { 0 }
sub O_WRONLY() { 1 }  sub O_CREAT() { 0100 }  sub O_APPEND() { 02000 }  sub O_SYNC() { 04010000 }

my %opt = (port => 11200, "unhealthy-flag" => "");
while (@ARGV) {
    my $arg = shift @ARGV;
    my ($key, $value) = $arg =~ /^--([a-z-]+)(?:=(.*))?$/s
        or die "demo-service: unexpected argument '$arg'\n";
    exists $opt{$key} || $key eq "node" || $key eq "journal" or die "demo-service: unknown option --$key\n";
    $value = shift @ARGV unless defined $value;
    defined $value or die "demo-service: --$key needs a value\n";
    $opt{$key} = $value;
}
my ($node, $journal, $port, $flag) = @opt{qw(node journal port unhealthy-flag)};
defined $node && defined $journal && $port =~ /^\d+$/
    or die "usage: demo-service.pl --node NODE --journal FILE [--port N] [--unhealthy-flag FILE]\n";

my $clock_gettime = do {
    my $arch = "";
    if (open(my $fh, "<", "/proc/sys/kernel/arch")) { $arch = <$fh> // ""; chomp $arch; close($fh) }
    { x86_64 => 228, aarch64 => 113 }->{$arch};
};
sub now_ns {
    if (defined $clock_gettime) {
        my $ts = "\0" x 16;
        syscall($clock_gettime, CLOCK_REALTIME, $ts) == 0 or die "demo-service: clock_gettime: $!\n";
        my ($s, $ns) = unpack("q q", $ts);
        return sprintf("%d%09d", $s, $ns);
    }
    require Time::HiRes;
    my ($s, $us) = Time::HiRes::gettimeofday();
    return sprintf("%d%06d000", $s, $us);
}

sub record {
    my ($kind) = @_;
    sysopen(my $fh, $journal, O_WRONLY | O_CREAT | O_APPEND | O_SYNC, 0644) or die "demo-service: $journal: $!\n";
    my $line = sprintf("%s %s %s %d\n", $kind, $node, now_ns(), $$);
    syswrite($fh, $line) == length($line) or die "demo-service: write $journal: $!\n";
    close($fh);
}

sub sd_notify {
    my ($msg) = @_;
    my $addr = $ENV{NOTIFY_SOCKET} or return;
    $addr = "\0" . substr($addr, 1) if substr($addr, 0, 1) eq "@";
    socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "demo-service: socket: $!\n";
    defined send($s, $msg, 0, pack("S a*", AF_UNIX, $addr)) or die "demo-service: NOTIFY_SOCKET: $!\n";
    close($s);
}

# The interval is recorded conservatively: "start" before the socket exists,
# "stop" after it is closed.
record("start");
socket(my $server, AF_INET, SOCK_STREAM, 0) or die "demo-service: socket: $!\n";
setsockopt($server, SOL_SOCKET, SO_REUSEADDR, pack("i", 1)) or die "demo-service: SO_REUSEADDR: $!\n";
bind($server, pack("S n a4 x8", AF_INET, $port, "\0\0\0\0")) or die "demo-service: bind port $port: $!\n";
listen($server, 128) or die "demo-service: listen: $!\n";

my $stopping = 0;
$SIG{TERM} = $SIG{INT} = sub { $stopping = 1 };
sd_notify("READY=1\nSTATUS=serving on port $port");

my $listening = "";
vec($listening, fileno($server), 1) = 1;
until ($stopping) {
    # A signal ends the wait (EINTR); it also wakes every 50 ms to look.
    next unless select(my $ready = $listening, undef, undef, 0.05) > 0;
    accept(my $client, $server) or next;
    serve($client);
}
close($server);
record("stop");
exit 0;

sub serve {
    my ($c) = @_;
    my ($head, $buf, $bits) = ("", "", "");
    vec($bits, fileno($c), 1) = 1;
    while ($head !~ /\r?\n\r?\n/ && length($head) < 16384) {
        last unless select(my $ready = $bits, undef, undef, 1) > 0;
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
