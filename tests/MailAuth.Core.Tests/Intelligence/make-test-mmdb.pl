#!/usr/bin/perl
# Writes MMDB files shaped like the ones users download, with MaxMind's own writer (Debian's
# libmaxmind-db-writer-perl): GeoLite2-ASN, GeoLite2-Country and IPinfo Lite (country_asn).
# Usage: make-test-mmdb.pl OUTDIR
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $out = shift or die "usage: $0 OUTDIR\n";

sub write_db {
    my ($file, $type, $types, $networks) = @_;
    my $tree = MaxMind::DB::Writer::Tree->new(
        ip_version            => 6,
        record_size           => 28,
        database_type         => $type,
        languages             => ['en'],
        description           => { en => "MailAuth test $type" },
        map_key_type_callback => sub { $types->{ $_[0] } },
        remove_reserved_networks => 0,
    );
    for my $n (@$networks) {
        $tree->insert_network($n->[0], $n->[1]);
    }
    open my $fh, '>:raw', "$out/$file" or die "$out/$file: $!";
    $tree->write_tree($fh);
    close $fh;
}

# GeoLite2-ASN: autonomous_system_number (uint32), autonomous_system_organization.
write_db('GeoLite2-ASN-Test.mmdb', 'GeoLite2-ASN',
    { autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string' },
    [
        ['209.85.128.0/17', { autonomous_system_number => 15169, autonomous_system_organization => 'GOOGLE' }],
        ['40.104.0.0/14', { autonomous_system_number => 8075, autonomous_system_organization => 'MICROSOFT-CORP-MSN-AS-BLOCK' }],
        ['2a01:111:f400::/40', { autonomous_system_number => 8075, autonomous_system_organization => 'MICROSOFT-CORP-MSN-AS-BLOCK' }],
    ]);

# GeoLite2-Country: country and registered_country maps with iso_code and names.
my %country_types = (
    country => 'map', registered_country => 'map', continent => 'map', names => 'map',
    iso_code => 'utf8_string', code => 'utf8_string', en => 'utf8_string', geoname_id => 'uint32',
);
write_db('GeoLite2-Country-Test.mmdb', 'GeoLite2-Country', \%country_types,
    [
        ['209.85.128.0/17', { continent => { code => 'NA', geoname_id => 6255149, names => { en => 'North America' } },
            country => { iso_code => 'US', geoname_id => 6252001, names => { en => 'United States' } },
            registered_country => { iso_code => 'US', geoname_id => 6252001, names => { en => 'United States' } } }],
        ['86.0.0.0/11', { continent => { code => 'EU', geoname_id => 6255148, names => { en => 'Europe' } },
            country => { iso_code => 'GB', geoname_id => 2635167, names => { en => 'United Kingdom' } },
            registered_country => { iso_code => 'GB', geoname_id => 2635167, names => { en => 'United Kingdom' } } }],
    ]);

# IPinfo Lite: asn as "AS<n>", as_name, as_domain, country_code, country, continent(_code).
write_db('ipinfo_lite-Test.mmdb', 'ipinfo ipinfo_lite.mmdb',
    { map { $_ => 'utf8_string' } qw(asn as_name as_domain country_code country continent continent_code) },
    [
        ['209.85.128.0/17', { asn => 'AS15169', as_name => 'Google LLC', as_domain => 'google.com',
            country_code => 'US', country => 'United States', continent_code => 'NA', continent => 'North America' }],
        ['2a01:111:f400::/40', { asn => 'AS8075', as_name => 'Microsoft Corporation', as_domain => 'microsoft.com',
            country_code => 'IE', country => 'Ireland', continent_code => 'EU', continent => 'Europe' }],
    ]);
