'use strict';
// The seed's g-crypt wrapper (g-crypt 1.1.0's src/Crypt.js, as the seed's page shows it), with the
// CryptoJS module passed in instead of read from a global, so each pinned crypto-js version can be used.
// CryptoJSAesJson is g-crypt's envelope format: {"ct":base64,"iv":hex,"s":hex}.
module.exports = function Crypt(CryptoJS, passphrase) {
    var pass = passphrase;
    var CryptoJSAesJson = {
        parse: function (jsonStr) {
            var j = JSON.parse(jsonStr);
            var cipherParams = CryptoJS.lib.CipherParams.create({ciphertext: CryptoJS.enc.Base64.parse(j.ct)});
            if (j.iv) cipherParams.iv = CryptoJS.enc.Hex.parse(j.iv);
            if (j.s) cipherParams.salt = CryptoJS.enc.Hex.parse(j.s);
            return cipherParams;
        },
        stringify: function (cipherParams) {
            var j = {ct: cipherParams.ciphertext.toString(CryptoJS.enc.Base64)};
            if (cipherParams.iv) j.iv = cipherParams.iv.toString();
            if (cipherParams.salt) j.s = cipherParams.salt.toString();
            return JSON.stringify(j);
        }
    };
    return {
        format: CryptoJSAesJson,
        decrypt: function (data) {
            return JSON.parse(CryptoJS.AES.decrypt(data, pass, {format: CryptoJSAesJson}).toString(CryptoJS.enc.Utf8));
        },
        encrypt: function (data) {
            return CryptoJS.AES.encrypt(JSON.stringify(data), pass, {format: CryptoJSAesJson}).toString();
        },
        // What crypter.decrypt parses: the UTF-8 text crypto-js returns (throws as crypto-js throws).
        decryptText: function (data) {
            return CryptoJS.AES.decrypt(data, pass, {format: CryptoJSAesJson}).toString(CryptoJS.enc.Utf8);
        },
        // crypto-js encrypt of any string or WordArray (cfg: e.g. {padding: NoPadding}) in g-crypt's format.
        encryptRaw: function (message, cfg) {
            return CryptoJS.AES.encrypt(message, pass, Object.assign({format: CryptoJSAesJson}, cfg || {})).toString();
        }
    };
};
