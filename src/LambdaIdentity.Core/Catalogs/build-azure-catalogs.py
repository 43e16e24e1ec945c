#!/usr/bin/env python3
"""Builds the trimmed Azure catalogs embedded in LambdaIdentity.Core from ../shared/data/catalogs.

  azure-builtin-roles.json.gz   roleName, id (GUID), permissions (actions, notActions, dataActions, notDataActions)
  azure-operations.json.gz      every provider operation name, split into actions and dataActions

Run from the repository root:  python3 src/LambdaIdentity.Core/Catalogs/build-azure-catalogs.py [shared-data-folder]
The test AzureRoleCatalogTests.EmbeddedCatalogEqualsSharedData fails when the embedded copy drifts.
"""
import gzip, json, sys, os

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join('..', 'shared', 'data')
out = os.path.join('src', 'LambdaIdentity.Core', 'Catalogs', 'Data')

roles = json.load(open(os.path.join(shared, 'catalogs', 'azure-builtin-role-definitions.json')))
trimmed = []
for r in sorted(roles, key=lambda r: r['roleName']):
    trimmed.append({
        'roleName': r['roleName'],
        'id': r['name'],
        'permissions': [{k: p.get(k) or [] for k in ('actions', 'notActions', 'dataActions', 'notDataActions')} for p in r['permissions']],
    })

def write_gz(name, obj):
    data = json.dumps(obj, separators=(',', ':'), sort_keys=False).encode('utf-8')
    # mtime=0 keeps the file byte-identical between runs
    with open(os.path.join(out, name), 'wb') as f:
        with gzip.GzipFile(filename='', mode='wb', fileobj=f, mtime=0) as g:
            g.write(data)

write_gz('azure-builtin-roles.json.gz', trimmed)

ops = json.load(gzip.open(os.path.join(shared, 'catalogs', 'azure-provider-operations.json.gz')))
actions, data_actions = set(), set()
for p in ops:
    all_ops = list(p.get('operations') or [])
    for rt in p.get('resourceTypes') or []:
        all_ops += rt.get('operations') or []
    for o in all_ops:
        (data_actions if o.get('isDataAction') else actions).add(o['name'])
write_gz('azure-operations.json.gz', {'actions': sorted(actions), 'dataActions': sorted(data_actions)})
print(len(trimmed), 'roles;', len(actions), 'actions;', len(data_actions), 'dataActions')
