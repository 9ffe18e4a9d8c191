// Electron fuses, flipped in the packaged binary: no ELECTRON_RUN_AS_NODE, no NODE_OPTIONS or
// --inspect, cookies encrypted, the app loaded only from its asar with integrity validation, and
// file:// without the extra privileges it has by default. The fuses are read back after flipping:
// a binary whose fuses did not take fails the packaging instead of shipping unhardened.
const { join } = require('node:path');
const { flipFuses, getCurrentFuseWire, FuseVersion, FuseV1Options } = require('@electron/fuses');

// a fuse's state byte in the wire: '1' enabled, '0' disabled (FuseState in @electron/fuses)
const ENABLE = '1'.charCodeAt(0);
const DISABLE = '0'.charCodeAt(0);

const FUSES = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** The file that holds the fuse wire, as @electron/fuses expects it for each platform. */
function electronBinary(context) {
  const { electronPlatformName, appOutDir, packager } = context;
  const name = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return join(appOutDir, `${name}.app`);
  if (electronPlatformName === 'win32') return join(appOutDir, `${name}.exe`);
  return join(appOutDir, packager.executableName);
}

async function afterPack(context) {
  const binary = electronBinary(context);
  await flipFuses(binary, {
    version: FuseVersion.V1,
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin',
    ...FUSES,
  });
  const wire = await getCurrentFuseWire(binary);
  const wrong = Object.entries(FUSES).filter(([index, on]) => wire[index] !== (on ? ENABLE : DISABLE));
  if (wrong.length > 0) {
    throw new Error(`after-pack: fuses not set in ${binary}: ${wrong.map(([i]) => FuseV1Options[i]).join(', ')}`);
  }
}

exports.default = afterPack;
exports.electronBinary = electronBinary;
