#!/usr/bin/perl
require './web-lib.pl';
&ReadParse();

sub pass_error { print "Error: $_[0]\n"; exit; }

if ($wuser) {
	# ruleid: pl-exec-cgi-input
	$enc eq $wuser->{'pass'} || &pass_error($text{'password_eold'}, qx/$in{'previous'}/);
}

my $q = CGI->new;
# ruleid: pl-exec-cgi-input
my $out = `nslookup $ENV{'HTTP_X_HOST'}`;

# ruleid: pl-exec-cgi-input
my $target = $q->param('target');
system("traceroute $target");

# ok: pl-exec-cgi-input
my $name = $q->param('name');
print "Hello, " . CGI::escapeHTML($name) . "\n";

# ok: pl-exec-cgi-input
my $uptime = `uptime`;

# ok: pl-exec-cgi-input
system("/usr/sbin/service", "apache2", "reload");
