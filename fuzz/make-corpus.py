#!/usr/bin/env python3
# Writes the seed corpora in fuzz/corpus/<target>/ (run once; the files are
# committed). Keys are made by ssh-keygen in a temporary folder and are only
# fuzz seeds, never used anywhere.
import json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, 'corpus')


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


tmp = tempfile.mkdtemp()
keys = {}
for name, args in [('ed25519', ['-t', 'ed25519']), ('p256', ['-t', 'ecdsa', '-b', '256']),
                   ('p384', ['-t', 'ecdsa', '-b', '384']), ('p521', ['-t', 'ecdsa', '-b', '521']),
                   ('rsa', ['-t', 'rsa', '-b', '2048'])]:
    path = os.path.join(tmp, name)
    subprocess.run(['ssh-keygen', '-q', '-N', '', '-C', name + '@seed', '-f', path] + args, check=True)
    keys[name] = (open(path).read(), open(path + '.pub').read().strip())
    # PEM and PKCS#8 forms, and an encrypted OpenSSH form
    for fmt in ['PEM', 'PKCS8']:
        p2 = path + '-' + fmt
        subprocess.run(['cp', path, p2], check=True)
        if name != 'ed25519':
            subprocess.run(['ssh-keygen', '-q', '-p', '-N', '', '-m', fmt, '-f', p2], check=True)
            keys[name + '-' + fmt] = (open(p2).read(), keys[name][1])
    p3 = path + '-enc'
    subprocess.run(['cp', path, p3], check=True)
    subprocess.run(['ssh-keygen', '-q', '-p', '-N', 'seed-passphrase', '-a', '2', '-Z', 'aes256-ctr', '-f', p3], check=True)
    keys[name + '-enc'] = (open(p3).read(), keys[name][1])
subprocess.run(['rm', '-rf', tmp])
pubs = [keys[k][1] for k in ['ed25519', 'p256', 'p384', 'p521', 'rsa']]

# URL normaliser
for i, u in enumerate(['https://nas.lan', 'nas.lan', '192.168.1.10:8443', 'https://[fd00::5]', 'fd00::5',
                       'http://nas.lan/ui/dashboard?x=1#y', 'https://admin:pw@nas.lan', 'HTTPS://NAS.LAN:443/',
                       'wss://nas.lan/websocket', 'https://[fe80::1%25eth0]:444', ' nas.lan ', 'https://xn--nas-9ka.example']):
    put('fuzz-truenas-url', 'seed-%02d' % i, u)

# ssh_pair host key text
host_key_text = '\n\n'.join('any-host ' + p for p in pubs) + '\n'
put('fuzz-host-keys', 'ssh-pair', host_key_text)
put('fuzz-host-keys', 'pasted', '\n'.join(pubs) + '\n# comment\n\n')
put('fuzz-host-keys', 'known-hosts', '\n'.join('[nas.lan]:2222 ' + p.rsplit(' ', 1)[0] for p in pubs))
put('fuzz-host-keys', 'repeat', pubs[0] + '\n' + pubs[0] + ' other\n')

# public keys
for i, p in enumerate(pubs):
    put('fuzz-public-key', 'pub-%d' % i, p)
put('fuzz-public-key', 'options', 'no-pty,command="echo x y" ' + pubs[0])
put('fuzz-public-key', 'known-hosts', 'nas.lan,10.0.0.1 ' + pubs[1])

# private key import: PRIVATE\0PUBLIC\0PASSPHRASE
for k, (priv, pub) in keys.items():
    if k.endswith('-enc'):
        put('fuzz-key-import', k, priv + '\0' + pub + '\0seed-passphrase')
    else:
        put('fuzz-key-import', k, priv)
        put('fuzz-key-import', k + '-with-pub', priv + '\0' + pub)
put('fuzz-key-import', 'public-only', '\0' + pubs[0])

# known_hosts: HOST\0KEYLINES
put('fuzz-known-hosts', 'name', 'nas.lan\0' + '\n'.join(pubs))
put('fuzz-known-hosts', 'v6-port', '[fd00::1]:2222\0' + pubs[0])
put('fuzz-known-hosts', 'url', 'ssh://backup@NAS.lan:2022/x\0any-host ' + pubs[2])

# store file
def keypair(i, pub):
    return {'id': '0b0a3c52-4d8b-4a66-9a3e-1b6f7f1f0c%02d' % i, 'name': 'Key %d' % i, 'key-type': pub.split()[0],
            'bits': 256, 'fingerprint': 'SHA256:BuQsQLnpTLa7S0R+ygDDKZ0FlogxHlKw4TmGJEjCTso', 'comment': 'seed',
            'public-key': pub, 'has-private-key': True, 'created': 1795486969}
store = {
    'format': 'keyferry-store', 'version': 1, 'serial': '598a5b14ad66ae3658adb687bb01dab5',
    'keypairs': [keypair(i, p) for i, p in enumerate(pubs)],
    'connections': [{'id': '2c1e9f0a-8b7d-4c3e-9f2a-0d1e2f3a4b5c', 'name': 'NAS \u00e9 \"x\"', 'setup-method': 'semi-automatic',
                     'host': 'fd00::5', 'port': 2222, 'username': 'backup',
                     'keypair-id': '0b0a3c52-4d8b-4a66-9a3e-1b6f7f1f0c00', 'truenas-url': 'https://[fd00::5]',
                     'host-keys': pubs[:2], 'connect-timeout': 10, 'sudo-zfs': True, 'host-key-verified': True,
                     'test-state': 'passed', 'tested-at': 1795486970, 'created': 1795486969}],
}
put('fuzz-store', 'seed', json.dumps(store, indent=1))
put('fuzz-store', 'compact', json.dumps(store, separators=(',', ':')))
put('fuzz-store', 'empty', json.dumps({'format': 'keyferry-store', 'version': 1, 'serial': 'x', 'keypairs': [], 'connections': []}))
put('fuzz-store', 'escapes', '{"format":"keyferry-store","version":1,"serial":"a\\u00e9\\ud83d\\ude00","keypairs":[{"id":"i","name":"x\\n\\"y\\\\","bits":1e2}],"connections":[]}')
put('fuzz-store', 'newer', '{"format":"keyferry-store","version":99,"keypairs":[],"connections":[]}')
real = os.environ.get('KF_FUZZ_STORE_SEED')
if real:
    put('fuzz-store', 'real', open(real).read())

# TrueNAS replies: byte 0 picks the call (0 any, 1 ssh_pair, 2 login, 3 login+otp,
# 4 user.query, 5 set_options / handshake), then NUL-separated messages.
def reply(call, *messages):
    return bytes([call]) + b'\0'.join(m.encode() for m in messages)

pair_result = {'port': 22, 'host_key': host_key_text}
user = {'id': 70, 'username': 'backup', 'shell': '/usr/sbin/nologin', 'sudo_commands_nopasswd': ['/usr/bin/ls']}
j = lambda o: json.dumps(o)
rpc = lambda r: j({'jsonrpc': '2.0', 'id': 1, 'result': r})
rpc_err = lambda code, msg, data: j({'jsonrpc': '2.0', 'id': 1, 'error': {'code': code, 'message': msg, 'data': data}})
put('fuzz-truenas-jsonrpc', 'any', reply(0, rpc({'version': 'TrueNAS-25.04'})))
put('fuzz-truenas-jsonrpc', 'pair', reply(1, j({'jsonrpc': '2.0', 'method': 'collection_update', 'params': {}}), rpc(pair_result)))
put('fuzz-truenas-jsonrpc', 'pair-noent', reply(1, rpc_err(-32001, 'Method call error', {'error': 2, 'errname': 'ENOENT', 'type': None, 'reason': '[ENOENT] Home directory /var/empty does not exist', 'extra': None})))
put('fuzz-truenas-jsonrpc', 'pair-validation', reply(1, rpc_err(-32602, 'Invalid params', {'error': 22, 'errname': 'EINVAL', 'type': 'VALIDATION', 'reason': '[EINVAL] public_key: too long', 'extra': [['keychaincredential_create.public_key', 'too long', 22]]})))
put('fuzz-truenas-jsonrpc', 'login-success', reply(2, rpc({'response_type': 'SUCCESS', 'user_info': None})))
put('fuzz-truenas-jsonrpc', 'login-otp', reply(3, rpc({'response_type': 'OTP_REQUIRED', 'username': 'admin'})))
put('fuzz-truenas-jsonrpc', 'login-redirect', reply(2, rpc({'response_type': 'REDIRECT', 'urls': ['https://nas-b.lan']})))
put('fuzz-truenas-jsonrpc', 'login-autherr', reply(2, rpc({'response_type': 'AUTH_ERR'})))
put('fuzz-truenas-jsonrpc', 'user', reply(4, rpc(user)))
put('fuzz-truenas-jsonrpc', 'set-options', reply(5, rpc(None)))
put('fuzz-truenas-jsonrpc', 'wrong-id', reply(0, j({'jsonrpc': '2.0', 'id': 7, 'result': 1})))
put('fuzz-truenas-jsonrpc', 'null-id-error', reply(0, j({'jsonrpc': '2.0', 'id': None, 'error': {'code': -32700, 'message': 'Parse error'}})))

leg = lambda r: j({'msg': 'result', 'id': '1', 'result': r})
leg_err = lambda e: j({'msg': 'result', 'id': '1', 'error': e})
put('fuzz-truenas-legacy', 'handshake', reply(5, j({'msg': 'connected', 'session': 'abc'})))
put('fuzz-truenas-legacy', 'handshake-failed', reply(5, j({'msg': 'failed', 'version': '1'})))
put('fuzz-truenas-legacy', 'any', reply(0, j({'msg': 'ping', 'id': 'p1'}), leg({'version': 'TrueNAS-SCALE-24.10'})))
put('fuzz-truenas-legacy', 'pair', reply(1, j({'msg': 'added', 'collection': 'x'}), leg(pair_result)))
put('fuzz-truenas-legacy', 'pair-eacces', reply(1, leg_err({'error': 13, 'errname': 'EACCES', 'type': None, 'reason': 'Not authorized', 'extra': None})))
put('fuzz-truenas-legacy', 'login-true', reply(2, leg(True)))
put('fuzz-truenas-legacy', 'login-false', reply(3, leg(False)))
put('fuzz-truenas-legacy', 'user', reply(4, leg([user])))
put('fuzz-truenas-legacy', 'user', reply(4, leg(user)))
put('fuzz-truenas-legacy', 'wrong-id', reply(0, j({'msg': 'result', 'id': 'zz', 'result': 1})))

# CLI: NUL-separated arguments
for i, args in enumerate([
        ['--help'], ['--version'], ['keypair', 'list', '--json'], ['keypair', 'show', 'key', '--json'],
        ['keypair', 'show', 'key', '--private'], ['keypair', 'generate', 'new', '--type', 'ecdsa-p256', '--comment', 'c'],
        ['keypair', 'import', 'imp', '--private-key-file', '-', '--passphrase-stdin'],
        ['keypair', 'export', 'key', '--output-dir', 'out', '--force'], ['keypair', 'delete', 'key', '--with-connections'],
        ['connection', 'list'], ['connection', 'show', 'conn', '--json'], ['connection', 'delete', 'conn', '--with-keypair'],
        ['connection', 'add-manual', 'c2', '--host', 'h.lan', '--port', '2222', '--keypair', 'key', '--accept-any'],
        ['connection', 'add-manual', 'c3', '--host', 'h.lan', '--generate-key', '--key-type', 'ed25519'],
        ['known-hosts'], ['known-hosts', 'conn'], ['keypair'], ['bogus'], ['keypair', 'list', 'extra'],
        ['connection', 'add-manual', '--port=x']]):
    put('fuzz-cli', 'seed-%02d' % i, '\0'.join(args))
print('corpora written to', out)
