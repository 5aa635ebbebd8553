/**
 * Reference outputs of `cv2.resize` (OpenCV 4.6.0, Debian python3-opencv 4.6.0+dfsg-12, numpy 1.24.2)
 * for test/data/resize.test.ts. Inputs are not stored: both sides generate them with the same
 * 32-bit LCG (`lcgFloats` / `lcgBytes` in the test). `expected` is the base64 of the cv2 output's
 * raw bytes (float32 little-endian or uint8, row-major H×W×C). Produced once by this script:
 *
 * # Generates cv2 reference outputs for test/data/resize.test.ts. Run with Debian's python3-opencv.
 * import base64, json, cv2, numpy as np
 *
 * def lcg(n, seed):
 *     out = np.empty(n, np.uint32); s = seed
 *     for i in range(n):
 *         s = (s * 1664525 + 1013904223) % 2**32; out[i] = s
 *     return out
 * def floats(n, seed): return (lcg(n, seed).astype(np.float64) / 2**32).astype(np.float32)
 * def bytes_(n, seed): return (lcg(n, seed) >> 24).astype(np.uint8)
 * def b64(a): return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()
 *
 * def shaped(a, h, w, c): return a.reshape(h, w, c) if c > 1 else a.reshape(h, w)
 * out = {'opencv': cv2.__version__}
 * cases = []
 * # each case: (srcH, srcW, channels, dstH, dstW, seed); cv2 takes dsize as (width, height)
 * for (h,w,c,H,W,seed) in [(2,2,1,4,4,1),(2,2,1,32,32,2),(7,7,1,28,28,3),(4,4,1,32,32,4),(3,5,1,17,9,5),(10,10,1,3,3,6),(5,4,3,13,11,7)]:
 *     src = shaped(floats(h*w*c, seed), h, w, c)
 *     dst = cv2.resize(src, (W, H), interpolation=cv2.INTER_LINEAR)
 *     cases.append(dict(kind='linear', dtype='float32', srcH=h, srcW=w, channels=c, dstH=H, dstW=W, seed=seed, expected=b64(dst)))
 * for (h,w,c,H,W,seed) in [(7,7,1,28,28,11),(4,4,1,32,32,12),(3,5,1,17,9,13),(12,16,3,37,29,14)]:
 *     src = shaped(bytes_(h*w*c, seed), h, w, c)
 *     dst = cv2.resize(src, (W, H), interpolation=cv2.INTER_LINEAR)
 *     cases.append(dict(kind='linear', dtype='uint8', srcH=h, srcW=w, channels=c, dstH=H, dstW=W, seed=seed, expected=b64(dst)))
 * for (h,w,c,H,W,seed) in [(8,8,1,4,4,21),(12,12,1,3,3,22),(48,32,1,16,16,23),(10,10,1,3,3,24),(50,40,1,16,14,25),(37,45,1,14,14,26),(30,20,3,7,9,27)]:
 *     src = shaped(floats(h*w*c, seed), h, w, c)
 *     dst = cv2.resize(src, (W, H), interpolation=cv2.INTER_AREA)
 *     cases.append(dict(kind='area', dtype='float32', srcH=h, srcW=w, channels=c, dstH=H, dstW=W, seed=seed, expected=b64(dst)))
 * for (h,w,c,H,W,seed) in [(32,32,3,16,16,31),(50,37,3,16,16,32),(56,56,1,28,28,33)]:
 *     src = shaped(bytes_(h*w*c, seed), h, w, c)
 *     dst = cv2.resize(src, (W, H), interpolation=cv2.INTER_AREA)
 *     cases.append(dict(kind='area', dtype='uint8', srcH=h, srcW=w, channels=c, dstH=H, dstW=W, seed=seed, expected=b64(dst)))
 * # Mixed: height enlarges (10 -> 16), width shrinks (40 -> 16): area along width, then linear along height.
 * h,w,c,H,W,seed = 10,40,3,16,16,41
 * src = shaped(floats(h*w*c, seed), h, w, c)
 * step = cv2.resize(src, (W, h), interpolation=cv2.INTER_AREA)
 * dst = cv2.resize(step, (W, H), interpolation=cv2.INTER_LINEAR)
 * cases.append(dict(kind='mixed', dtype='float32', srcH=h, srcW=w, channels=c, dstH=H, dstW=W, seed=seed, expected=b64(dst)))
 * out['cases'] = cases
 * json.dump(out, open('resize-fixtures.json', 'w'))
 * print(sum(len(c['expected']) for c in cases), 'base64 chars')
 */

export interface ResizeFixture {
  /** linear = INTER_LINEAR, area = INTER_AREA, mixed = INTER_AREA along width then INTER_LINEAR along height. */
  kind: 'linear' | 'area' | 'mixed';
  dtype: 'float32' | 'uint8';
  srcH: number;
  srcW: number;
  channels: number;
  dstH: number;
  dstW: number;
  seed: number;
  expected: string;
}

export const OPENCV_RESIZE_FIXTURES: readonly ResizeFixture[] = [
  {
    kind: 'linear',
    dtype: 'float32',
    srcH: 2,
    srcW: 2,
    channels: 1,
    dstH: 4,
    dstW: 4,
    seed: 1,
    expected: 'ZiFyPskQij72EKw+DBG9PoZXmz4/g64+rtrUPmYG6D4v5d8+Kmj3PhA3Ez+O+B4/ARYBP1DtDT/smyc/O3M0Pw==',
  },
  {
    kind: 'linear',
    dtype: 'float32',
    srcH: 2,
    srcW: 2,
    channels: 1,
    dstH: 32,
    dstW: 32,
    seed: 2,
    expected:
      '/oZyPv6Gcj7+hnI+/oZyPv6Gcj7+hnI+/oZyPv6Gcj7iqnk+VvmDPjodiz4eQZI+A2WZPueIoD7MrKc+sNCuPpT0tT54GL0+XTzE' +
      'PkJgyz4mhNI+CqjZPu/L4D7T7+c+xYHrPsWB6z7Fges+xYHrPsWB6z7Fges+xYHrPsWB6z7+hnI+/oZyPv6Gcj7+hnI+/oZyPv6G' +
      'cj7+hnI+/oZyPuKqeT5W+YM+Oh2LPh5Bkj4DZZk+54igPsyspz6w0K4+lPS1PngYvT5dPMQ+QmDLPiaE0j4KqNk+78vgPtLv5z7F' +
      'ges+xYHrPsWB6z7Fges+xYHrPsWB6z7Fges+xYHrPv6Gcj7+hnI+/oZyPv6Gcj7+hnI+/oZyPv6Gcj7+hnI+4qp5Plb5gz46HYs+' +
      'HkGSPgNlmT7niKA+zKynPrDQrj6U9LU+eBi9Pl08xD5CYMs+JoTSPgqo2T7vy+A+0u/nPsSB6z7Eges+xIHrPsSB6z7Eges+xIHr' +
      'PsSB6z7Eges+/oZyPv6Gcj7+hnI+/oZyPv6Gcj7+hnI+/oZyPv6Gcj7iqnk+VvmDPjodiz4eQZI+A2WZPueIoD7MrKc+sNCuPpT0' +
      'tT54GL0+XTzEPkJgyz4mhNI+CqjZPu/L4D7U7+c+xoHrPsaB6z7Gges+xoHrPsaB6z7Gges+xoHrPsaB6z7+hnI+/oZyPv6Gcj7+' +
      'hnI+/oZyPv6Gcj7+hnI+/oZyPuKqeT5W+YM+Oh2LPh5Bkj4DZZk+54igPsyspz6w0K4+lPS1PngYvT5dPMQ+QmDLPiaE0j4KqNk+' +
      '78vgPtPv5z7Fges+xYHrPsWB6z7Fges+xYHrPsWB6z7Fges+xYHrPv6Gcj7+hnI+/oZyPv6Gcj7+hnI+/oZyPv6Gcj7+hnI+4qp5' +
      'Plb5gz46HYs+HkGSPgRlmT7niKA+zKynPrDQrj6U9LU+eBi9Plw8xD5CYMs+JoTSPgqo2T7vy+A+0+/nPsWB6z7Fges+xYHrPsWB' +
      '6z7Fges+xYHrPsWB6z7Fges+/oZyPv6Gcj7+hnI+/oZyPv6Gcj7+hnI+/oZyPv6Gcj7iqnk+VvmDPjodiz4eQZI+A2WZPueIoD7M' +
      'rKc+sNCuPpT0tT54GL0+XTzEPkJgyz4mhNI+CqjZPu/L4D7T7+c+xoHrPsaB6z7Gges+xoHrPsaB6z7Gges+xoHrPsaB6z7+hnI+' +
      '/oZyPv6Gcj7+hnI+/oZyPv6Gcj7+hnI+/oZyPuKqeT5W+YM+Oh2LPh5Bkj4DZZk+54igPsyspz6w0K4+lPS1PngYvT5dPMQ+QmDL' +
      'PiaE0j4KqNk+78vgPtPv5z7Fges+xYHrPsWB6z7Fges+xYHrPsWB6z7Fges+xYHrPqj+cD6o/nA+qP5wPqj+cD6o/nA+qP5wPqj+' +
      'cD6o/nA++3Z4PtGzgz4kLIs+d6SSPsscmj4elaE+cg2pPsSFsD4X/rc+a3a/Pr/uxj4TZ84+Zt/VPrlX3T4N0OQ+X0jsPokE8D6J' +
      'BPA+iQTwPokE8D6JBPA+iQTwPokE8D6JBPA++u1tPvrtbT767W0++u1tPvrtbT767W0++u1tPvrtbT4sD3Y+yCiDPvhJiz4pa5M+' +
      'W4ybPoytoz6+zqs+7++zPh8RvD5RMsQ+glPMPrR01D7lldw+FrfkPkjY7D54+fQ+Egr5PhIK+T4SCvk+Egr5PhIK+T4SCvk+Egr5' +
      'PhIK+T5O3Wo+Tt1qPk7daj5O3Wo+Tt1qPk7daj5O3Wo+Tt1qPl2ncz6+nYI+zWeLPtwxlD7s+5w++sWlPgqQrj4YWrc+JyTAPjbu' +
      'yD5GuNE+VoLaPmRM4z5zFuw+g+D0PpGq/T7MBwE/zAcBP8wHAT/MBwE/zAcBP8wHAT/MBwE/zAcBP6DMZz6gzGc+oMxnPqDMZz6g' +
      'zGc+oMxnPqDMZz6gzGc+jj9xPrQSgj6hhYs+jviUPnxrnj5o3qc+VVGxPkPEuj4vN8Q+HKrNPgod1z73j+A+5ALqPtB18z6+6Pw+' +
      '1S0DP5CKBT+QigU/kIoFP5CKBT+QigU/kIoFP5CKBT+QigU/9LtkPvS7ZD70u2Q+9LtkPvS7ZD70u2Q+9LtkPvS7ZD6+124+q4eB' +
      'PnWjiz5Av5U+C9ufPtb2qT6hErQ+bC6+PjZKyD4BZtI+zYHcPped5j5jufA+LtX6Pnx4Aj9ihgc/VA0KP1QNCj9UDQo/VA0KP1QN' +
      'Cj9UDQo/VA0KP1QNCj9Iq2E+SKthPkirYT5Iq2E+SKthPkirYT5Iq2E+SKthPu9vbD6h/IA+ScGLPvKFlj6cSqE+RA+sPu7Ttj6W' +
      'mME+Pl3MPuch1z6Q5uE+OKvsPuJv9z5GGgE/mnwGP+7eCz8YkA4/GJAOPxiQDj8YkA4/GJAOPxiQDj8YkA4/GJAOP5qaXj6aml4+' +
      'mppePpqaXj6aml4+mppePpqaXj6aml4+IAhqPphxgD4e34s+pUyXPiy6oj6yJ64+OZW5PsACxT5GcNA+zN3bPlRL5z7auPI+Yib+' +
      'PvTJBD+4gAo/ejcQP9wSEz/cEhM/3BITP9wSEz/cEhM/3BITP9wSEz/cEhM/7olbPu6JWz7uiVs+7olbPu6JWz7uiVs+7olbPu6J' +
      'Wz5SoGc+HM1/PvL8iz5XE5g+vCmkPiBAsD6FVrw+6mzIPk6D1D6ymeA+GLDsPnvG+D5wbgI/o3kIP9WEDj8HkBQ/oJUXP6CVFz+g' +
      'lRc/oJUXP6CVFz+glRc/oJUXP6CVFz9AeVg+QHlYPkB5WD5AeVg+QHlYPkB5WD5AeVg+QHlYPoI4ZT4It34+xhqMPgnamD5MmaU+' +
      'jliyPtEXvz4U18s+VpbYPphV5T7cFPI+HdT+PrDJBT9RKQw/8ogSP5ToGD9kGBw/ZBgcP2QYHD9kGBw/ZBgcP2QYHD9kGBw/ZBgc' +
      'P5RoVT6UaFU+lGhVPpRoVT6UaFU+lGhVPpRoVT6UaFU+tNBiPvagfT6aOIw+u6CZPtwIpz78cLQ+HdnBPj5Bzz5dqdw+fhHqPp95' +
      '9z7fcAI/8CQJPwDZDz8QjRY/IEEdPyibID8omyA/KJsgPyibID8omyA/KJsgPyibID8omyA/51dSPudXUj7nV1I+51dSPudXUj7n' +
      'V1I+51dSPudXUj7kaGA+4op8Pm5WjD5uZ5o+bHioPmqJtj5pmsQ+aKvSPmW84D5jze4+Yt78Pq93BT8wgAw/r4gTPy6RGj+smSE/' +
      '7B0lP+wdJT/sHSU/7B0lP+wdJT/sHSU/7B0lP+wdJT86R08+OkdPPjpHTz46R08+OkdPPjpHTz46R08+OkdPPhYBXj7QdHs+Q3SM' +
      'PiAumz7856k+2KG4PrRbxz6QFdY+bM/kPkmJ8z6TIQE/gH4IP2/bDz9dOBc/S5UePznyJT+woCk/sKApP7CgKT+woCk/sKApP7Cg' +
      'KT+woCk/sKApP442TD6ONkw+jjZMPo42TD6ONkw+jjZMPo42TD6ONkw+RplbPrxeej4Xkow+0vSbPoxXqz5Guro+AB3KPrp/2T50' +
      '4ug+LkX4PvXTAz9RhQs/rzYTPwzoGj9omSI/xUoqP3QjLj90Iy4/dCMuP3QjLj90Iy4/dCMuP3QjLj90Iy4/4CVJPuAlST7gJUk+' +
      '4CVJPuAlST7gJUk+4CVJPuAlST53MVk+qUh5PuyvjD6Fu5w+HMesPrTSvD5M3sw+5OncPnz17D4UAf0+V4YGPyKMDj/vkRY/u5ce' +
      'P4edJj9Soy4/OKYyPzimMj84pjI/OKYyPzimMj84pjI/OKYyPzimMj80FUY+NBVGPjQVRj40FUY+NBVGPjQVRj40FUY+NBVGPqjJ' +
      'Vj6WMng+v82MPjeCnT6sNq4+Iuu+Ppifzz4OVOA+hAjxPn3eAD+4OAk/8pIRPy/tGT9qRyI/o6EqP977Mj/8KDc//Cg3P/woNz/8' +
      'KDc//Cg3P/woNz/8KDc//Cg3P4YEQz6GBEM+hgRDPoYEQz6GBEM+hgRDPoYEQz6GBEM+2WFUPoIcdz6U64w+6UiePjymrz6QA8E+' +
      '5GDSPji+4z6MG/U+cDwDPxrrCz/DmRQ/b0gdPxj3JT/CpS4/alQ3P8CrOz/Aqzs/wKs7P8CrOz/Aqzs/wKs7P8CrOz/Aqzs/MHxB' +
      'PjB8QT4wfEE+MHxBPjB8QT4wfEE+MHxBPjB8QT7yLVM+eZF2Pn76jD5CrJ4+BF6wPscPwj6KwdM+TXPlPg8l9z5pawQ/S0QNPysd' +
      'Fj8O9h4/784nP9CnMD+xgDk/Iu09PyLtPT8i7T0/Iu09PyLtPT8i7T0/Iu09PyLtPT8wfEE+MHxBPjB8QT4wfEE+MHxBPjB8QT4w' +
      'fEE+MHxBPvItUz55kXY+fvqMPkKsnj4EXrA+xw/CPorB0z5Nc+U+DyX3PmlrBD9LRA0/Kx0WPw72Hj/vzic/0KcwP7GAOT8i7T0/' +
      'Iu09PyLtPT8i7T0/Iu09PyLtPT8i7T0/Iu09PzB8QT4wfEE+MHxBPjB8QT4wfEE+MHxBPjB8QT4wfEE+8i1TPnmRdj5++ow+Qqye' +
      'PgResD7HD8I+isHTPk1z5T4PJfc+aWsEP0tEDT8rHRY/DvYeP+/OJz/QpzA/sYA5PyLtPT8i7T0/Iu09PyLtPT8i7T0/Iu09PyLt' +
      'PT8i7T0/MHxBPjB8QT4wfEE+MHxBPjB8QT4wfEE+MHxBPjB8QT7yLVM+epF2Pn76jD5CrJ4+BF6wPsYPwj6KwdM+TXPlPg8l9z5p' +
      'awQ/S0QNPysdFj8O9h4/784nP9CnMD+xgDk/Iu09PyLtPT8i7T0/Iu09PyLtPT8i7T0/Iu09PyLtPT8wfEE+MHxBPjB8QT4wfEE+' +
      'MHxBPjB8QT4wfEE+MHxBPvItUz55kXY+fvqMPkKsnj4EXrA+xw/CPorB0z5Mc+U+DyX3PmlrBD9LRA0/Kx0WPw72Hj/vzic/0Kcw' +
      'P7GAOT8i7T0/Iu09PyLtPT8i7T0/Iu09PyLtPT8i7T0/Iu09PzB8QT4wfEE+MHxBPjB8QT4wfEE+MHxBPjB8QT4wfEE+8i1TPniR' +
      'dj5++ow+QqyePgResD7HD8I+isHTPk5z5T4PJfc+aWsEP0tEDT8rHRY/DvYeP+/OJz/QpzA/sYA5PyLtPT8i7T0/Iu09PyLtPT8i' +
      '7T0/Iu09PyLtPT8i7T0/MHxBPjB8QT4wfEE+MHxBPjB8QT4wfEE+MHxBPjB8QT7yLVM+eZF2Pn76jD5CrJ4+BF6wPscPwj6KwdM+' +
      'TnPlPg8l9z5pawQ/S0QNPysdFj8O9h4/784nP9CnMD+xgDk/Iu09PyLtPT8i7T0/Iu09PyLtPT8i7T0/Iu09PyLtPT8wfEE+MHxB' +
      'PjB8QT4wfEE+MHxBPjB8QT4wfEE+MHxBPvItUz54kXY+fvqMPkKsnj4EXrA+xw/CPorB0z5Nc+U+DyX3PmlrBD9LRA0/Kx0WPw72' +
      'Hj/vzic/0KcwP7GAOT8i7T0/Iu09PyLtPT8i7T0/Iu09PyLtPT8i7T0/Iu09Pw==',
  },
  {
    kind: 'linear',
    dtype: 'float32',
    srcH: 7,
    srcW: 7,
    channels: 1,
    dstH: 28,
    dstW: 28,
    seed: 3,
    expected:
      'luxyPpbscj7RhY0+3qS1PuvD3T588QI/Gk8XP9D6Kz+GpkA/PFJVP/WfXD+yj1Y/bn9QPyxvSj+Zvzo/tXAhP9MhCD/epd0+Sifj' +
      'PvNjED9BNC8/kAROPxggVj/ahkc/nO04P19UKj/AByM/wAcjP5bscj6W7HI+0YWNPt6ktT7rw90+fPECPxpPFz/Q+is/hqZAPzxS' +
      'VT/1n1w/so9WP25/UD8sb0o/mb86P7VwIT/TIQg/3qXdPkon4z7zYxA/QTQvP5AETj8YIFY/2oZHP5ztOD9fVCo/wAcjP8AHIz+a' +
      'JIM+miSDPgbckT7eSq8+t7nMPpAo6j6fXAg/4DUgPyIPOD9j6E8/WstWPwa4TD+wpEI/XJE4P4H+Kj8c7Bk/udkIP6iO7z56d/c+' +
      '8bYUPyWyLT9arUY/xpBNP2tcQj8OKDc/s/MrP4ZZJj+GWSY/N4GWPjeBlj5uiJo+35aiPk+lqj6/s7I+UO/UPgGsCD9a4CY/tBRF' +
      'PyQiSz+sCDk/Ne8mP77VFD9QfAs/6uIKP4ZJCj8gsAk/7QsQP+5cHT/trSo/7/43PyNyPD+LBzg/9JwzP1wyLz8Q/Sw/EP0sP9Td' +
      'qT7U3ak+2DSjPt/ilT7nkIg+3n12PmMlmT5EROI+krEVPwRBOj/ueD8/VFklP7k5Cz9ANOI+P/TXPnCz9z5SuQs/6pgbPx1cJD/q' +
      'AiY/tqknP4NQKT9/Uys/rLItP9gRMD8EcTI/nKAzP5ygMz9xOr0+cTq9PkDhqz7gLok+//hMPj6UBz7stjo+hTCzPsqCBD9UbS8/' +
      'uM8zP/upET98CN8+A72aPt7vmD4Modk+HikNP7WBLT9NrDg/5qguP36lJD8Yoho/3DQaP8xdIz++hiw/rq81PyZEOj8mRDo/81Da' +
      'PvNQ2j4OO8g+RQ+kPvnGfz5mbzc+yP5XPo+6sD66dfU+dBgdPwhYHj868/w+Yza9Phfzej7ZfoA+S0bGPt4GBj+X6ig/loczP9zd' +
      'JT8gNBg/ZooKP7VfCj8PtBc/agglP8VcMj/yBjk/8gY5P6yQAD+skAA/P0L4Pg+E5j7fxdQ+rAfDPi4RxT5i4to+lrPwPmVCAz+9' +
      'I/4+cpDXPib9sD7aaYo+MaGOPiyjvT4npew+kNMNP/jtFD/JoQs/mlUCP9cS8j4SqPc+dLUKP+CWGT9KeCg/AOkvPwDpLz/g+BM/' +
      '4PgTP7kkFD9sfBQ/INQUP9MrFT98EQ8/GoUCP3Hx6z6t2NI+a5e/Pqotsj7qw6Q+KFqXPonDnD4OALU+kTzNPhV55T60qOw+bsvi' +
      'Pinu2D7kEM8+vJDaPrNt+z5UJQ4/0JMePw3LJj8NyyY/EmEnPxJhJz9RKCw/0rY1P1JFPz/P00g/YZo7PwOZFz9ML+c+kSyfPhcL' +
      'gT7iyow+rIqYPnZKpD7h5ao+7lysPvvTrT4IS68+eHWvPktTrj4eMa0+8g6sPmZ5vT59cOE+yrMCP1WvFD8arR0/Gq0dP0FQIj9B' +
      'UCI/vjspP7kSNz+z6UQ/q8BSP37+RD8ooxs/pI/kPvjYkT4ftWQ+axSGPkfOmT4iiK0+U920PtzNrz5jvqo+7K6lPqkXpj6a+Ks+' +
      'jdmxPn+6tz72Isw+8hLvPnYBCT91eRo/czUjP3M1Iz9uxgQ/bsYEP/9eCz8hkBg/RMElP2byMj/SPSs/h6MOP3oS5D7k3ao+04WT' +
      'PkcKnj66jqg+LBOzPt+puj7VUr8+yvvDPsCkyD5Gj9A+XbvbPnTn5j6ME/I+tkYDP4gqEj9aDiE/LvIvPxhkNz8YZDc/M3nOPjN5' +
      'zj59BNs+FBv0PtaYBj8gJBM/Jn0RP+ejAT9QleM+0eLDPhextD4hALY+K0+3PjaeuD5sdsA+ztfOPjA53T6Umus+5Ab7PhC/BT+u' +
      '+g0/TTYWP/B7ID+Yyyw/QBs5P+hqRT+8kks/vJJLP4plkz6KZZM+/kqfPuUVtz7M4M4+tKvmPvV47z6MSOk+JRjjPr7n3D5a3NU+' +
      '/fXNPp4Pxj5AKb4++ELGPshc3j6XdvY+NEgHP0G/Ej9yoB0/ooEoP9RiMz8rsT0/qGxHPyQoUT+h41o/YMFfP2DBXz+nnZ8+p52f' +
      'Po6Qqj5cdsA+KlzWPvpB7D6yCvM+U7bqPvZh4j6ZDdo+enjTPp6izj7BzMk+5PbEPjlnzT7CHeM+StT4PmpFBz98xxE/XPAbPzoZ' +
      'Jj8bQjA/Kfs4P2VEQD+fjUc/2tZOP3l7Uj95e1I/iCHzPogh8z4t1fw+PB4IP+LRET+IhRs/wtcWP5LIAz/CcuE+YFS7PniFrT4G' +
      'Brg+lIbCPiIHzT4w49U+vBrdPkhS5D7Wies+SDj1Ps6uAD94wQY/I9QMP+pZEj/OUhc/sUscP5REIT8GwSM/BsEjP7VSIz+1UiM/' +
      '54wnP0sBMD+udTg/E+pAPywqND/5NRI/jYPgPiqbnD50koc+bmmhPmhAuz5hF9U+JV/ePrgX1z5I0M8+2ojIPpjhxj6C2so+bNPO' +
      'PlbM0j5Ycdc+bsLcPoQT4j6aZOc+Jw3qPicN6j6lFE0/pRRNPzavUD9Z5Fc/exlfP55OZj+VfFE/YaMgP1mU3z7jw3s+4T5DPtbM' +
      'ij47+rM+nyfdPhzb5j6yFNE+Rk67PtyHpT7oipg+aFeUPucjkD5n8Is+2i6KPkHfij6oj4s+DkCMPkGYjD5BmIw+1k5SP9ZOUj/U' +
      'VFQ/0GBYP8xsXD/JeGA/vrNLP60dHj84D+E+F+OFPjLhWz6/N5k+5X7EPgrG7z7+X/M+wkzPPoM5qz5GJoc+IqppPsaLaD5qbWc+' +
      'Dk9mPtKhaT6yZXE+kyl5Prl2gD6yZ4I+smeCPkgBMz9IATM/wH0yP7F2MT+ibzA/k2gvP6fPIj/epAo/KvTkPpmetD7uhaw+KqrM' +
      'PmbO7D5QeQY/5vYBP+W/0T79kZ8+LMhaPiaANz7oS1U+rBdzPrhxiD6CV5c+Nj2mPuoitT6eCMQ+eHvLPnh7yz64sxM/uLMTP6um' +
      'ED+RjAo/d3IEP7qw/D4g1/M+HljuPhzZ6D4bWuM+QxvrPkoOAD/0jgo/nA8VP809Cj8JM9Q+duqTPspDJz4qVgU+CwxCPu7Bfj7o' +
      'u50+HN65PpTH0z4Mse0+Qc0DP59HCj+fRwo/VMzoPlTM6D4un90+5ETHPpnqsD5QkJo+8Q6iPoBmxz4Ovuw+zgoJP0zYFD+Axxk/' +
      'tLYeP+ilIz+zhBI/LKbWPvBCiD7Tfuc9XFimPS7MLj4YNoU+GAazPrZk3D75qAA/lh8TPzOWJT+D0S4/g9EuPzjawT442sE+Gou3' +
      'Ptzsoj6eTo4+wmBzPlhbjD6FT8Y+2CEAP+8bHT/4myk/86ElP/CnIT/rrR0/sX8JP4E6yj6fdYE+9MLiPdjPuj2R/kY+nEqYPvAV' +
      'zT7GSfY+EPMJPzzBGD9ojyc/f/YuP3/2Lj8ekbI+HpGyPhgRrz4KEag+/BChPu4Qmj5UvLI+LBPrPgK1ET9u4C0/pNgzP6SdIz+l' +
      'YhM/picDP4pd3j4H8K4+BAV/PvwpID5jCSQ+m1GFPoWeuD5u6+s+psYDPw/CBT94vQc/4LgJP5W2Cj+Vtgo/BkijPgZIoz4Xl6Y+' +
      'ODWtPlrTsz58cbo+Tx3ZPmrrBz8rSCM/7qQ+P1IVPj9WmSE/Wx0FP8BC0T6yu6k+jKWTPsseez5+8k4+2qpqPu0jpz5t8tg+d2AF' +
      'P2poDD8OkQE/ZnPtPrDE1z5V7cw+Ve3MPuz+kz7s/pM+FR2ePmZZsj64lcY+CdLaPkp+/z49TRo/Vds0P21pTz/+UUg/B5UfPyKw' +
      '7T40Npw+tDNqPiS2cD6ROHc+Abt9PiimmD4/9sg+Vkb5PjbLFD8sChU/HMD6Pt5ryz6fF5w+gG2EPoBthD5gWow+YFqMPhXgmT5+' +
      '67Q+5/bPPlAC6z5kVwk/J34jP+qkPT+ty1c/VXBNP+CSHj/Yat8+76+BPtyRNT6pa1U+dUV1PqGPij6GTqo+aN/ZPiW4BD+WgBw/' +
      'DlsZPxuP9j4ZaLo+LoJ8PixbQD4sW0A+YFqMPmBajD4V4Jk+fuu0Pub2zz5QAus+ZFcJPyd+Iz/qpD0/rctXP1VwTT/gkh4/2Grf' +
      'Pu+vgT7ckTU+qmtVPnVFdT6hj4o+hk6qPmjf2T4luAQ/loAcPw5bGT8bj/Y+GWi6Pi6CfD4sW0A+LFtAPg==',
  },
  {
    kind: 'linear',
    dtype: 'float32',
    srcH: 4,
    srcW: 4,
    channels: 1,
    dstH: 32,
    dstW: 32,
    seed: 4,
    expected:
      'LlJzPi5Scz4uUnM+LlJzPrmUhj79a6A+QkO6PoUa1D7K8e0+h+QDPynQED/Lux0/lN0iP4U1ID91jR0/ZuUaP1Y9GD9HlRU/OO0S' +
      'PylFED8eEBM/GE4bPxKMIz8Myis/Bgg0PwBGPD/6g0Q/9MFMP/HgUD/x4FA/8eBQP/HgUD8uUnM+LlJzPi5Scz4uUnM+uZSGPv1r' +
      'oD5CQ7o+hBrUPsrx7T6H5AM/KdAQP8u7HT+U3SI/hTUgP3WNHT9m5Ro/Vj0YP0eVFT847RI/KUUQPx4QEz8YThs/EowjPwzKKz8G' +
      'CDQ/AEY8P/qDRD/0wUw/8uBQP/LgUD/y4FA/8uBQPy5Scz4uUnM+LlJzPi5Scz65lIY+/mugPkJDuj6FGtQ+yvHtPofkAz8p0BA/' +
      'y7sdP5TdIj+FNSA/dY0dP2blGj9WPRg/R5UVPzjtEj8pRRA/HhATPxhOGz8SjCM/DMorPwYIND8ARjw/+oNEP/TBTD/x4FA/8eBQ' +
      'P/HgUD/x4FA/LlJzPi5Scz4uUnM+LlJzPrmUhj79a6A+QkO6PoUa1D7K8e0+h+QDPynQED/Lux0/lN0iP4U1ID91jR0/ZuUaP1Y9' +
      'GD9HlRU/OO0SPylFED8eEBM/GE4bPxKMIz8Myis/Bgg0PwBGPD/6g0Q/9MFMP/HgUD/x4FA/8eBQP/HgUD9NT2c+TU9nPk1PZz5N' +
      'T2c+quSAPrBemz632LU+vVLQPsTM6j5lowI/aOAPP2sdHT+w8SE/NV0eP7nIGj8+NBc/wp8TP0cLED/Ldgw/UOIIP7wxCz8RZRM/' +
      'ZpgbP7rLIz8Q/ys/ZDI0P7hlPD8OmUQ/uLJIP7iySD+4skg/uLJIP4pJTz6KSU8+iklPPopJTz4WCWs+FkSRPqIDrT4sw8g+uILk' +
      'PiIhAD/oAA4/reAbP+YZID+TrBo/Pz8VP+zRDz+YZAo/RPcEP+MT/z49OfQ+8+n2PgOTAz8OsQs/GM8TPyLtGz8sCyQ/NiksP0BH' +
      'ND9GVjg/RlY4P0ZWOD9GVjg/yEM3PshDNz7IQzc+yEM3PtdIVD58KYc+jC6kPpwzwT6tON4+vT37PmYhDD/uoxo/HUIeP/H7Fj/F' +
      'tQ8/mm8IP24pAT+GxvM+LzrlPtit1j5scNc+7IHnPmuT9z510gM/NdsLP/TjEz+07Bs/dPUjP9T5Jz/U+Sc/1PknP9T5Jz8FPh8+' +
      'BT4fPgU+Hz4FPh8+mog9PsQdej53WZs+DKS5PqLu1z42OfY+5kEKPzBnGT9Tahw/UEsTP0wsCj9IDQE/itzvPoKe3T58YMs+dCK5' +
      'Pub2tz7Q3cc+usTXPqWr5z6Pkvc+vbwDPzKwCz+noxM/Yp0XP2KdFz9inRc/Yp0XP0I4Bz5COAc+QjgHPkI4Bz5cyCY+kOhlPmKE' +
      'kj57FLI+lqTRPq808T5kYgg/cioYP4qSGj+umg8/0qIEP+1V8z42Zt0+fnbHPsiGsT4Rl5s+X32YPrU5qD4K9rc+X7LHPrRu1z4K' +
      'K+c+YOf2PtpRAz/wQAc/8EAHP/BABz/wQAc/AGXePQBl3j0AZd49AGXePR4IED5cs1E+TK+JPuuEqj6KWss+KDDsPuOCBj+y7RY/' +
      'wLoYPwzqCz+xMv4+SpHkPuPvyj58TrE+FK2XPloXfD6zB3I+mpWIPlknmD4auac+2kq3Pprcxj5abtY+GgDmPvvI7T77yO0++8jt' +
      'PvvI7T57Wa49e1muPXtZrj17Wa49wo/yPSh+PT442oA+WvWiPn8QxT6iK+c+Y6MEP/SwFT/34hY/bDkIP78f8z6nzNU+kHm4Pngm' +
      'mz7Cpns+kgBBPqYUMz784lE+UrFwPtS/hz7/Jpc+Ko6mPlb1tT6AXMU+FhDNPhYQzT4WEM0+FhDNPuybfD3sm3w97Jt8PeybfD1G' +
      'D8U99EgpPkQKcD7KZZs+c8a+Phsn4j7iwwI/NnQUPy0LFT/KiAQ/zAzoPgQIxz49A6Y+df6EPlvzRz7L6QU+MkPoPcaaEj7yEzE+' +
      'HY1PPkoGbj67P4Y+UXyVPua4pD4yV6w+MlesPjJXrD4yV6w+4FilPeBYpT3gWKU94FilPRgG6z1EMDs+v26APltFoz74G8Y+lPLo' +
      'PpjkBT/mTxc/a6YXPyboBj/EU+w+OtfKPrJaqT4p3oc+QcNMPi7KCT7e8Os9BE4RPpijLD4s+Uc+wE5jPlWkfj71/Iw+vqeaPiR9' +
      'oT4kfaE+JH2hPiR9oT4cvRE+HL0RPhy9ET4cvRE+GjoyPho0cz4NF5o+DJS6Pg4R2z4Mjvs+hgUOPwZEHj+wtB4/glcPP6f0/z5M' +
      'OuE+8H/CPpXFoz46C4U+vKFMPiiZOD64/E0+RmBjPtXDeD6yE4c+esWRPkF3nD4IKac+7IGsPuyBrD7sgaw+7IGsPsjNUD7IzVA+' +
      'yM1QPsjNUD4q8W4++JuVPly/sz6+4tE+IgbwPsIUBz90JhY/JjglP/PCJT/cxhc/xcoJP1yd9z4upds+AK2/PtS0oz6kvIc+4Tl7' +
      'PrZVhT56Do0+P8eUPgOAnD7IOKQ+jvGrPlKqsz60hrc+tIa3PrSGtz60hrc+Oe+HPjnvhz4574c+Oe+HPhzUlT7jnbE+qmfNPnAx' +
      '6T6cfQI/fmIQP2JHHj9GLCw/ONEsPzc2ID82mxM/NgAHP2zK9D5slNs+bV7CPmsoqT5M7Z4+EK2jPtFsqD6TLK0+VeyxPhestj7a' +
      'a7s+mivAPnyLwj58i8I+fIvCPnyLwj6Qd6c+kHenPpB3pz6Qd6c+pC+0Ps6fzT75D+c+EUAAPyf4DD87sBk/UGgmP2YgMz983zM/' +
      'kqUoP6hrHT+/MRI/1fcGP9h79z4GCOE+MpTKPqk9wD5pBMI+KMvDPueRxT6mWMc+Zh/JPibmyj7krMw+RJDNPkSQzT5EkM0+RJDN' +
      'PuX/xj7l/8Y+5f/GPuX/xj4si9I+uaHpPiRcAD9q5ws/sXIXP/j9Ij8+iS4/hRQ6P8DtOj/tFDE/GjwnP0djHT90ihM/orEJP6Cx' +
      '/z75/+s+BY7hPsRb4D5+Kd8+PPfdPvjE3D61kts+cmDaPi0u2T4Mldg+DJXYPgyV2D4Mldg+O4jmPjuI5j47iOY+O4jmPrLm8D7S' +
      '0QI/SzANP8KOFz887SE/s0ssPy2qNj+lCEE/BPxBP0iEOT+MDDE/0JQoPxQdID9YpRc/nS0PP+C1Bj8xbwE/HbP+PtaH+j6PXPY+' +
      'STHyPgQG7j6+2uk+d6/lPtSZ4z7UmeM+1JnjPtSZ4z5ICAM/SAgDP0gIAz9ICAM/HaEHP8fSED9zBBo/HDYjP8ZnLD9wmTU/G8s+' +
      'P8X8Rz9ICkk/o/NBP/7cOj9YxjM/s68sPw6ZJT9qgh4/xGsXP18XEj88hQ4/FvMKP/JgBz/OzgM/qTwAPwpV+T7BMPI+nJ7uPpye' +
      '7j6cnu4+nJ7uPtuSCj/bkgo/25IKP9uSCj9wxw4/mzAXP8iZHz/yAig/HWwwP0fVOD9zPkE/nqdJP58WSz94i0U/UgBAPyp1Oj8D' +
      '6jQ/3F4vP7bTKT+OSCQ/0vIeP4DSGT8sshQ/2pEPP4ZxCj8zUQU/4TAAPxwh9j7JAPE+yQDxPskA8T7JAPE+1uMJP9bjCT/W4wk/' +
      '1uMJP1PmDT9O6xU/SvAdP0P1JT8/+i0/OP81PzQEPj8uCUY/CyFIP8pLRD+IdkA/RqE8PwTMOD/C9jQ/giExPz9MLT+IASg/WkEh' +
      'PyyBGj/9wBM/zwANP6FABj/mAP8+iIDxPlrA6j5awOo+WsDqPlrA6j7RNAk/0TQJP9E0CT/RNAk/NgUNPwCmFD/MRhw/lecjP2CI' +
      'Kz8qKTM/9ck6P79qQj93K0U/GgxDP77sQD9izT4/Bq48P6qOOj9Obzg/8U82Pz4QMT82sCg/K1AgPyLwFz8YkA8/DjAHPwmg/T70' +
      '3+w+7H/kPux/5D7sf+Q+7H/kPsyFCD/MhQg/zIUIP8yFCD8ZJAw/smATP06dGj/o2SE/ghYpPxxTMD+2jzc/UMw+P+I1Qj9szEE/' +
      '9WJBP375QD8GkEA/kCZAPxq9Pz+iUz8/9B46PxAfMD8rHyY/Rh8cP2AfEj98Hwg/LD/8PmI/6D59P94+fT/ePn0/3j59P94+x9YH' +
      'P8fWBz/H1gc/x9YHP/xCCz9mGxI/0PMYPzrMHz+kpCY/DX0tP3hVND/iLTs/TkA/P7yMQD8r2UE/miVDPwhyRD93vkU/5gpHP1RX' +
      'SD+qLUM/6403PyruKz9qTiA/qq4UP+kOCT9Q3vo+zp7jPg7/1z4O/9c+Dv/XPg7/1z7CJwc/wicHP8InBz/CJwc/3mEKPxjWED9S' +
      'Shc/jL4dP8YyJD//pio/OBsxP3KPNz+6Sjw/DU0/P2JPQj+2UUU/ClRIP15WSz+yWE4/BltRP2E8TD/G/D4/Kr0xP459JD/yPRc/' +
      'Vv4JP3R9+T48/t4+oL7RPqC+0T6gvtE+oL7RPr14Bj+9eAY/vXgGP714Bj/BgAk/ypAPP9WgFT/esBs/58AhP/DQJz/64C0/BPEz' +
      'PyZVOT9fDT4/mMVCP9J9Rz8MNkw/RO5QP36mVT+3Xlo/F0tVP6BrRj8pjDc/sawoPzrNGT/D7Qo/mBz4Pqhd2j4xfss+MX7LPjF+' +
      'yz4xfss+t8kFP7fJBT+3yQU/t8kFP6OfCD99Sw4/VvcTPzCjGT8JTx8/4vokP7umKj+UUjA/kl82P6/NPD/OO0M/7qlJPwwYUD8r' +
      'hlY/SvRcP2hiYz/NWV4/e9pNPylbPT/W2yw/hFwcPzHdCz+7u/Y+FL3VPsI9xT7CPcU+wj3FPsI9xT41cgU/NXIFPzVyBT81cgU/' +
      'FS8IP9aoDT+YIhM/WZwYPxoWHj/bjyM/nAkpP12DLj/H5DQ/2C08P+p2Qz/8v0o/DQlSPx5SWT8wm2A/QeRnPynhYj/pkVE/qUJA' +
      'P2jzLj8opB0/51QMP00L9j7LbNM+ix3CPosdwj6LHcI+ix3CPjVyBT81cgU/NXIFPzVyBT8VLwg/1qgNP5giEz9ZnBg/GhYeP9uP' +
      'Iz+cCSk/XoMuP8fkND/YLTw/6nZDP/y/Sj8OCVI/HlJZPzCbYD9B5Gc/KeFiP+mRUT+pQkA/aPMuPyikHT/nVAw/Tgv2Psts0z6L' +
      'HcI+ix3CPosdwj6LHcI+NXIFPzVyBT81cgU/NXIFPxUvCD/WqA0/mCITP1mcGD8aFh4/248jP5wJKT9dgy4/x+Q0P9gtPD/qdkM/' +
      '/L9KPw0JUj8eUlk/MJtgP0LkZz8p4WI/6ZFRP6lCQD9o8y4/KKQdP+dUDD9NC/Y+zGzTPowdwj6MHcI+jB3CPowdwj41cgU/NXIF' +
      'PzVyBT81cgU/FS8IP9aoDT+YIhM/WZwYPxoWHj/bjyM/nAkpP12DLj/H5DQ/2C08P+p2Qz/8v0o/DQlSPx5SWT8wm2A/QuRnPynh' +
      'Yj/pkVE/qUJAP2jzLj8opB0/51QMP0wL9j7LbNM+ix3CPosdwj6LHcI+ix3CPg==',
  },
  {
    kind: 'linear',
    dtype: 'float32',
    srcH: 3,
    srcW: 5,
    channels: 1,
    dstH: 17,
    dstW: 9,
    seed: 5,
    expected:
      'xrdzPpIuzj4wXC0/gcYDP7DoeD7+9hQ/mHhWP1INQz+PZjc/xrdzPpIuzj4wXC0/gcYDP6/oeD7+9hQ/mHhWP1INQz+OZjc/xrdz' +
      'PpIuzj4wXC0/gcYDP7DoeD7+9hQ/mHhWP1INQz+PZjc/pjqBPuBpzj72hic/yib/Prk5dj4dQQc/q4VBP7oRPj9e/zs/yUiMPtTC' +
      'zj4exx4/do3yPkczcj6VYOU+RxkiP1aYNj+S5EI/7VaXPsobzz5HBxY/IvTlPtYsbj7yPrw+5awCP/QeLz/IyUk/EGWiPr50zz5v' +
      'Rw0/zlrZPmQmaj5OHZM+A4HGPo+lJz/+rlA/NHOtPrLNzz6YhwQ/esHMPvIfZj5U91M+PaiHPiwsID8ylFc/WIG4Pqcm0D6Bj/c+' +
      'JyjAPoEZYj4MtAE+7p4RPsiyGD9oeV4/tNmdPg05tD6lgtk+Bl26Ppobij6iflM+FGFiPubrCz/f6j0/EDKDPnZLmD7Jdbs+5ZG0' +
      'PnQqoz6apJI+m5GZPgpK/j5aXB0/1xRRPre7eD7saJ0+xMauPk45vD7kibs+rfLBPka85D6im/k+kMUbPobgQD4iuH4+o/uoPidI' +
      '1T4tb+Q+vlPqPoQuyz6Ufrg+juzMPVMFCT5onkI+gjCjPgFX7j48qgY/aFoJP8CgsT4Hw24+LtiFPQ6Rxz1CjRo+wVOfPpIL/z7/' +
      'SxQ/GdAWP5OXoD6e8Rc+LtiFPQ6Rxz1CjRo+wVOfPpIL/z7/SxQ/GdAWP5OXoD6e8Rc+LtiFPQ6Rxz1CjRo+wVOfPpIL/z7/SxQ/' +
      'GdAWP5OXoD6e8Rc+',
  },
  {
    kind: 'linear',
    dtype: 'float32',
    srcH: 10,
    srcW: 10,
    channels: 1,
    dstH: 3,
    dstW: 3,
    seed: 6,
    expected: 'mgdLP4512D4UoGg+aoHPPtby3j5aNgs/rG5YP46XmD7jTDU/',
  },
  {
    kind: 'linear',
    dtype: 'float32',
    srcH: 5,
    srcW: 4,
    channels: 3,
    dstH: 13,
    dstW: 11,
    seed: 7,
    expected:
      '94J0PrLaaT9BzBw/qEWKPnfMXz//oB8/hjMFP6BaDz/0RjY/OERFPxyjez7p7Ew/goxZP1o0TD1wmz8/F9wkPwHQUT12sOw+XFfg' +
      'PqprVz0fVDQ+HKgAP781hj5BEDI+2KU6P3S4GD92Iq8+laN0Pw5Wbj9ongI/TON7P8AJeT8NAAg/0qWCPlqnYj+rphw/zAOSPkuU' +
      'WT/SGB8/z3kGP9f7ED8OqjI/ufFDP8TGkD5JO0Y/GU9XPwyn2j2k8zg/PIAkP2xi4T1m2uk+wGLjPswd6D0Em0M+ISEAP5Gklj7u' +
      '1kc+crY1P1DoFD/q77g+xUtrP11+Xj8x+gY/b/5xPx2xZz93Sgw/hJusPqCmPj++6hs/g7q4Pm97Oj/xbxw/QNkMP+4hGT+NmSA/' +
      'PVU9P9SQ7z4pwyQ/EhxMP9pZyD6srBc/97QiP6Hxzj4MrNs+uJvyPmeJ1T6//oc+cvz6PqzO6D4nXJo+dgkdP5zXAT8u8+k+tpQ8' +
      'P+RHDz8cxRw/HYZAP+71ED+MviE/NZHWPuWlGj/PLhs/OXHfPpJiGz8Pxxk/rzgTPwNIIT8MiQ4/wbg2P3AtJz8JSwM/CulAP/gE' +
      'LT9oy+w+sekgP1PFMj+yfc0+V+oAP62FOD/7L64+obb1PmN8HT/XzNA+elwEP9CN3T44ew0/pN0NP9gigD4HkDI/yg0PP/LqaD6g' +
      'Mjc/ZEMKP9cJAT8etgE/2JINPyB7Aj9lxwA/cg4oP3UFDj8wo/I+C4pCP8iPGT+Xt+M+l7ZGP3iaIj876tE+u7QlPx17Jz9MT7s+' +
      '37IEP8FbLD9ctKQ+Dr71PjkXFT8RDL4+Lef9Pi/f2T6QKPQ+JwgDP+iPiT6IIhU/uYoDP/4Lfz5QhBg/zugvPyG33D4tf68+UWwy' +
      'P0Jp2z5qxrE+aohGP0z60D5aAMQ+gqRaP1KLxj5KOtY+3tlXP5JcwT47fNE+/OMuPzDuxD40dqY+Ge4FP8x/yD5Y4HY+Tk75Ptdr' +
      '1z5U/3Q+w2IGP7on7T5Fz5I+YB4QP89xAT/hHqs+1FURP43NAj/TKK4+OY5VP5Ratz42JDc+zEVXP0HcsT4U/EM+ZAJlP6vphT6D' +
      'XZU++75yPyjuMz78vMg+JP1oP8IQ9j07DtE+PBM4P4yY6z0bnZE+VCkHP1Ug4T32VyQ+j978PjqphD4Dzds98NENPyM4AD/e18U9' +
      'mjQdP6wbPj+24q897yAfPxzYRT8SJK09Ows/P06gEz+2W1k+fghAP2NeDz+SGmI+jvJHPxSe2j65CJQ+ntxPP2B/lj4oBLc++nhI' +
      'Pz7qaT6xKL4+05MnP/MMjT4Q55Y+q64GP8YkpT7eSl8+PqzwPkYO5T6O5Vk+dD3qPvttHj+CL4A+rc7jPtZUSj89bJM+1QDjPrHR' +
      'Tz/U05U+PogoP1OTSz83k3s+L8soP6XORT+IHIA+uOIqPz6pFz/us5I+QvosP6wH0z5US6U+0PQnPw1mrD4oQ6s+ahQXP8Mz3z4F' +
      'MZw+AjQGP7sACT/jHo0+7HnkPqm5Ij9O8qI+Cte4PtOjPD8M6c4+KDSNPgCOVj/N3/o+zL+HPkbLWT9SLwA/Qh0SP/rmbz80Spk+' +
      'HpsRP8bsaD8Mx5s++4kNPysbMT/Hra8+2HgJPxyT8j6ClMM+b9MGPx6TxD6L1Mc+QYwGP0P8AT/B/rE+EkUGP/auIT/3KJw+HbHm' +
      'PlTBMj9C+a8+FHiqPhgNOz/Nxtw+En5cPtxYQz8uygQ/0m9NPlViRD8Glwc/lqz3PpjLdj8QYsQ+0/30PrgPbz90Wso+xYffPq4w' +
      'MT+NHfo+uBHKPkij5j5U8BQ/eozJPmnarT4kzBU/9O3rPjyq5D4ikuA+ticHPwa9DT/9i5U+job+PruIEj/IFn8+SKTQPoPDCT/t' +
      'Wok+AMKiPkv+AD93KpM+uAWdPkjL/z5mZJQ+pR7LPjiwfT/uee8+acXGPqgydT/d7fg+k/ujPjJGMT+rRiI/vTGBPnKz2j5oFkg/' +
      'FHKFPrMhlz4Grkc/ZcPKPvBbxT7Dkgc/WwoIPyyW8z4D744+AC4LP0Gg5D4IOx4+ftD2PtbzsD4ivNc9+kTXPtaOej5kBGY9ilPT' +
      'PryjbT7q1Uw9dDXCPiQRfz9OGPg+7Ya9Pthsdj9GHwE/vBKYPn9KMT9AuCk/FD1lPkhQ2D46UVI/ZKZvPluWkj4AqFE/SCHEPhQZ' +
      'vz4aOww/rzcIP8yb6z5qnI0+JpANP8+81z7g2wo+8HL+Psw8nT5p/5Q9ksXhPpB5RT5pOCI86C/ePpDZNj5jAAY7',
  },
  {
    kind: 'linear',
    dtype: 'uint8',
    srcH: 7,
    srcW: 7,
    channels: 1,
    dstH: 28,
    dstW: 28,
    seed: 11,
    expected:
      'PT0+QEJFSE1SVlA/LRwnUHmiu8PM1MCPXi0VFT09PkBDRUhNUldQPy0cJ1B5orvDy9S/j14tFRVMTEtIRUJDSE1ST0Q6LzpZeZms' +
      'tLzEs4heMx4ea2tkV0k8OD5DSU1QU1Zea3iGkJeepZp7XT4vL4mJfWZONi00OkBLXGx8gn14cnN6gIaBblxJQECoqJd1UzAjKTA3' +
      'SWeFo6aPd19WXGJnZ2FbVFFRsbGgf108LTE2Okxtjq+xlntfU1ZYW1tZVlRTU6SkmYRuWU1LSkhUbYafo5ODc2pnY2BcVU5IRESX' +
      'l5KJf3VtZV5WW2x+j5WQjIeAd29mXFFGOzY2ioqLjpCSjH9yZWNsdn+HjpSbl4h6bF1OPi8nJ4uLj5adpJ6KdmNcY2pxeYKMlZSI' +
      'fXFiTjsnHh6ZmZyip62jh2tQR1BaZGtucnV3d3d3a1M8JBkZpqaprbK2p4RgPTE+S1ddWlhVWmVxfHRYPSEUFLS0trm8v6uAVSoc' +
      'LDtLTkY+NT1Ua4J9Xj4eDw+vr7K5wMe1i2E2KTdFU1ZPRz9EVWd5dVo/JBYWl5efrr3Mw6ODY1dgaXF1dHNxbmpmYlpMPjEqKoCA' +
      'i6O60tK8po+GiYyPlJmepJl/ZUs/Pj4+Pj5oaHiYt9fh1Mi8tLKwrbK+ytbElGQ1JDE+S1JSaWl2kKnDzcjDvru8vb7CytLaxJJf' +
      'LR81S2FsbISEhouPlJaWlpWbqLTAw7y1r5p4VjMwSmWAjY2enpaGdmZgZGhte5Orw8SvmYRwXkw6QWB/nq6uubmmgVw3KTI7RFt+' +
      'osbFoX1YRURDQVJ2mb3Pz8XFsYlhOSkxOkJWdpa1s5BsSDpAR05ig6TF1dXExLeehWxgYmRmbXmGko56ZlJMU1picYiftsLCwsK9' +
      's6iel5KOioR9dm5pZWBdXmZudYCNm6ivr8HBw8jM0c3DuK6bgGZLRE9bZ3F5gYmPkpaanJzAwMbS3urp283Ap4JeOTFFWGx6gouT' +
      'lpWUk5KSwMDG0t7q6dvOwKeCXjkxRFhseoKKk5aVlJKSkg==',
  },
  {
    kind: 'linear',
    dtype: 'uint8',
    srcH: 4,
    srcW: 4,
    channels: 1,
    dstH: 32,
    dstW: 32,
    seed: 12,
    expected:
      'PT09PT9DR0tPU1dbWE1DOC4jGQ4KDA8RFBYYGxwcHBw9PT09P0NHS09TV1tYTUM4LiMZDgoMDxEUFhgbHBwcHD09PT0/Q0dLT1NX' +
      'W1hNQzguIxkOCgwPERMWGBscHBwcPT09PT9DR0tPU1dbWE1DOC4jGQ4KDQ8RExYYGxwcHBw/Pz8/QUVKTlJWWl9cUkg9NCofFhIU' +
      'FxkcHiEjJCQkJERERERGSk9TWF1hZmRbUUg/Ni0kISQnKSwuMTQ1NTU1SEhISEtQVFleY2hta2NbU0tDOzMxNDY5PD9CREZGRkZN' +
      'TU1NT1RaX2Rpb3RzbGVeV1BJQkBDRklMT1JVV1dXV1FRUVFUWl9lanB2e3t1b2ljXVdRUFNWWVxfYmZnZ2dnVlZWVllfZWpwdnyC' +
      'g355dG9qZWBfYmZpbHBzdnh4eHhaWlpaXWRqcHd9g4qLh4N/e3dzb29ydnl8gISHiYmJiV9fX19iaW92fYOKkZOQjYqHhIF+foKF' +
      'iY2QlJiampqaZWVlZWdtc3l+hIqQko+NioiFg4GCh4yRlpugpaenp6dsbGxsbnF1eHyAg4aHhYOBfnx6eHqCiZCXn6ausbGxsXNz' +
      'c3N0dXd4eXt8fX17eXd1c3Fvc3yGkJmjrbe8vLy8e3t7e3p5eHh3dnV0c3FvbWtqaGZrd4OPm6ezwMbGxsaCgoKCgH16d3Rxbmto' +
      'Z2VjYmBeXWNygI+drLrJ0NDQ0IqKioqHgnx3cWxnYV5dW1pYV1VUXG19jp+wwdLa2trakZGRkY2FfnZvZ2BYVFNRUE9NTEtUZ3uO' +
      'obTI2+Xl5eWYmJiYk4mAdmxiWU9JSUdGRURDQkxieI2juc7k7+/v75iYmJiSiH50aV9VS0VFRUVFRUVFT2N3i6C0yNzm5ubmj4+P' +
      'j4qBeG9mXVRLR0lLTU9RU1Rda3qJmKa1xMvLy8uGhoaGgnpza2NbU0xKTVFVWFxgZGp0fYaPmaKrsLCwsH19fX16c21mYFlTTExR' +
      'V11iaG1zeHx/g4eLj5OVlZWVdXV1dXJtZ2JdV1JNTlVdZGxze4KFhIKBf358enp6enpsbGxsamZiXVlVUU1QWWNsdX+IkZOMhX53' +
      'cGliX19fX2NjY2NhX1xZVlNQTlJdaHR/ipWhoJSIe29jVkpEREREWlpaWllYVlVTUVBOVGFue4mWo7CunIp5Z1VDMSkpKSlWVlZW' +
      'VVRTUlFQT05VY3F/jZuquLWgjHdjTjolGxsbG1ZWVlZVVFNSUVBPTlVjcX+Om6q4taCMd2NOOiUbGxsbVlZWVlVUU1JRUE9OVWNx' +
      'f42cqri1oIx3Y046JRsbGxtWVlZWVVRTUlFQT05VY3F/jZyquLWgjHdjTjolGxsbGw==',
  },
  {
    kind: 'linear',
    dtype: 'uint8',
    srcH: 3,
    srcW: 5,
    channels: 1,
    dstH: 17,
    dstW: 9,
    seed: 13,
    expected:
      'PVBvk7hnIxUMPVBvk7hnIxUMPVBvk7hnIxQMQFd8mLNkIxoURWGQoatgIyIhSWukqqNbIyouTna4s5tXJDI6UoDNvJRTJDpHV4vh' +
      'xYxPJEJUZ5DWuIFNLVdxd5bLrHdMNm2OhpzBn2xLPoKrlqK2k2FKR5jIpqirhldJUK7lsaykflBIVrz5saykflBIVrz5saykflBI' +
      'Vrz5',
  },
  {
    kind: 'linear',
    dtype: 'uint8',
    srcH: 12,
    srcW: 16,
    channels: 3,
    dstH: 37,
    dstW: 29,
    seed: 14,
    expected:
      'PYxnOJpMMLEgRJtSX3ifYUx3YCdQUy8/PlRDGq9xMZ5uey5AgVg4bb4/iZ1Po3dkeKedYrLJgF7VpUnGz3yaxJmMoKuOm5aMnHqK' +
      'go2JZJyRPaO5JqfRPYxnOJpMMbEgRJtSX3ieYUx3YCdQUy8/PlRDGq9xMZ5tey5AgVg4bb4/iZ1Po3dkeKedYrLJgV7VpUnGz3ua' +
      'xZmMoKuOm5aMnHqKgo2JZJyRPaO5JqfRT4aJRZNrNKk5PJNqTHC3WE+KXzdeT0xCQmU/PIdtUG5oeyE1f0QsdJQyfY5Bh4JUg51+' +
      'fKCjbGi3flSttWiBtImElrGgoqKGs4lkiY9yZpWCXZubV5+qYYCsUYyLN6BUNIqDOWjPT1OfX0dsS2lER3c6X11qcDxjexMrfjAf' +
      'fGglcX4yaY5CjpJfmI17V3KYVl+Tm1Nno3l8i7eyqK6Ay5g9kZFZaI1yfpN7i5eBc3rPXoWrOphuLYKcJmDoRlezXld6SIdGS4k1' +
      'gTRmkAldfAUgfBsShDwXZG0kS5kxmoc/s3pTQn16LWp5gD9MkWhzgb3Frrt55KcVmJNBaYVhn4tcv49YbnG4WYKUNp5VMIaPMWDr' +
      'QF6xSmJ2PHxVSXpMikNvmzJng0I4eksmd1Mhc4Ezcq1FkZBHjoNUNpl8J45/bF5Yh3Z+jLPLoKKRtYNBknFafWxvm5Vzra11ZGmZ' +
      'UYB0MaY1NY19QmLqOmarM2xwL2xmRmhmjlt6pGdzjIlVeYU/Z3IuhppGo8FehZ1VYI9aK7iDJraKWoVpfoiLm6fPj4StfFd5iUp7' +
      'k1GBk6GTktGdW2F6SX5ULK8VOZRqU2PpNW+mG3ZqIlt3Q1SBk3OFrJ2AldFyd79ZV5E7mLNZ1NR3eapjMpxgH9eKJd6UR6x6dZuX' +
      'qpvSfmfIQyuxgSKcqjWTiq2yePXFRnWFOYdpJKc5MJtwRYTFO5ChNJN/SWCDYVCLgIOYlaqSosV6kbtjdKJNk7pkrtB9YapzLZ13' +
      'ONGcRNOdT5l3Z5CBh6CkcW6eUzCQeCCMlCmQjIywh8fDL5CdJ5SLG5tuI6R9MKyYRLecWrWcfWqPiVCRZ5GudqymsKN9sqZqna5g' +
      'iLxuccZ9RqaEM5qSW8Oxa7mnXnduWX1gWKppZn5hdUJXcChuciGHkV6lo4O3F6y0FaGuEo+jFayJG9VrTd+XgNe5snWbsFCWTp/D' +
      'V626voGA0pJxxrt0fb54NLx+K6KVOZitfrXGkqCwblRmS2tAKbUuWo4lmFMeaC9RURh+lTGavkCqQKvAN6O0J5agHKaME8B4TtKT' +
      'i9OowXuRv1qSUKXAS6rAoW+Wun2Du6h5hLduS75lOZd6QoSPkKSipp2afWh1Xn5ZRrtBeZ48tnI7dVNUUjxxmUGaw0SzhJ7IbqCv' +
      'SaOELJuLEZCeTa+RisCEwX9/w2qKXqi0RqTBcmS1i2mam4l6k6tchMVCVohNS2lYm5Nms6J4i5OPf6KJgr90qa521JV7jIJlYnJi' +
      'nGqfv2bDx5HQpZ2qa7JpO5GJDmHES4yPia1gwYNsx3mBbKunQp3CQ1jUW1Sxe2l6op9Kvswgc3ogVU4ip4EqwKdVmb6ooMW5v8On' +
      '2r6w8Lm7o7J3cahTn5Oku4fU3ozPupOsfp5xU4GNLVjCW4GYjaFzxYiAzIWJd66PRZijMUnFUk2jiHJmoqY9sc8Ya3AUUj0TrHga' +
      'y6dLpsewq8vJxb68zbu70bm6qbF5j6RUpIuYsHvA2Y3Ju4WziXaOcG6VYGiod4SolZqoy42q0pCcgbNvTJNwMDmaYU9+r5JGmrkx' +
      'eM8iS2odSDMcrXQj1KJRsr2sqL/Hq7S/nKyqjKaRpZJxtn1gqWSDolSX1Y7EvHa6k06rjluckneOk4e4nJTc0JLT2JuuirdQU44+' +
      'LyhvcFFY17MmkcwnP9ArLGMnPikmr28s3Z5WvrOppbPEkKnDa56ZSJJooXRq3FdrrzxtlC1uwJ27q326h0e4i1Smm3SOo4W4r5Xd' +
      '1p/d1ai8iapaWH5DPylueFZh0bU+j8NFRb5PPl9FVCxAuWlD4pdkyLampKy6fI21V4GBOHdInlxr40OCtC5vmCFknLmviZayaVy4' +
      'b1exgGKlqH+qzZyz3LPNy7XIgI6HXWR3XTmSe1yRpJ2GlKOHgJyIeV12hjpoyWFm5I950cSkpqiobWKXXFdlVVcxnUt00D+iuTOG' +
      'rC12eNWjZ6+rSXC4Ulq8ZVC8rnmc66OJ4sa8wcHTdnG1YUuse0m1fmLAdoXNmYPJu3vCtFqnuEiR2VmJ5oaO2tKip6SWXjd5YC5I' +
      'cTcZnDl8vTvCvjmdvjiGX8iiWKqiTHejU2KnYVerrHSJ6JNzyrijobLCYVjAXTzCjFfHiWLacWjxnGPmyFzVxlSvx1KW01ye0oGh' +
      'xMWekpKRTCF+XRlQfiYjnD55s064sEWjr0CXUoqsX3+YdG12eHFteHxroW9wvmh2kYSCZoGQP0OiTju0jmHFnlzYm0bsnEHXnkC7' +
      'pkuJrVhysWykpoKyiJmXYXCZNiSqUR+EeShWn1xntH17jFmWdUSmRk23ZlWOnWNInYAzjqIqlmtWlD55V09hKlBeHC6FPzmmj2vE' +
      's1XXxSPnnSDIdCWhhkFikl5OkHyqeYLDTG2QMU2iHyfWRCS3cyuIoXpVtKs+aW6JPEm1USzEeTyOvVYztIYUlLsGi3VMejiCOkFU' +
      'EERGETl2QU6hmn3HxlvR4BvRmhSvVBiIdEBSh2ZJd4ayWoXILl6BJEaYKjfgTjrFeEKYmpVUo8cwT3+FHlS3gzrTnz6fz0ZHsnwk' +
      'fsAQgJZafHCUTHNnLXZYLXqAXIaptZnS13bD4z6ekyyFRSNveU9olHR4bIi/UIy7Q35jUG5wbFyxfmmXjn1thatsdMJyR4qPLWmh' +
      'tEjixUGw4TZcr3M0aMQadbdpfqmnX6R7SqhqSLqLd7+x0bbc6JG052Jsi0RbNi9Wf11+oYGmYYrMRpSuV55EfZVIrYKDrplppLhD' +
      'b8CFRL2zP5aaPH6LyVvk1ky67TRztW9JZsIod8J0hsCwdbmFZr51XNqXh9y34cjT86Wf6HpLi1JDNzJKimuQsJLGZIrSSJOkYK02' +
      'lKov2Jde0a9Ius0rZb2YJqzfOZeaRYtylXrGtGyy6lSRy3lplbA+mZp3nYajlYl3gpJvWqiqeri22MSX7aV25nVUn0dVYCVeoneX' +
      'w6nCjIbHY32iS5BNeZA8yoZO1IZIz4hAdoKhMn7ZOYKEPYRSYJmokour53Ow4YOJw55Vu3F7tEyWtFlqnWdpWXa9bZS1z79b6KVN' +
      '5HBdtDxmiBhyu4Oe1r+9soO8fmigN3RkXXZIvHQ+111H5ENWhkepPVDTOGxuNXwyPbOVd6en2pLF6JGd35Ri0FR2wiGExDpfq0xm' +
      'X1TCa3euxbM33J012GdiwDV2qxOJzo6n4dC5yoCskFuWL2ZzS2xVqW84zkVM5RRpkx6nUDDBQGFYN30ZWr2veLexqa2ztKqEtqlI' +
      'smRSqy9clVpehHRtfmyUkHaRuI5puHpcqFRZrzyCuDCsyZO2y8exp4SHf3BtU5JmXp1fhZxYlG5inTpvjzeCf0KDantAXp0ZeMjJ' +
      'eMi6eMihgcRrjL8tlXQtlTw1ZnpdXZtznYRmtnR1rGmclVaDeEBRnUKOxU7PxJjFtb6qg4diboVFeL1ZcM5pYch3WZd4Vl92i1Fd' +
      'r1RElZYphr0ajM3YdtO8UN2NWNhTa80WfIENgEoSPZZdO7x6spg+z3RZnU/CdTuiUS9MkEuW0W3mvpzMoLOgY4hEXJUnk+BSffVy' +
      'QO6OKbyIHYR7iGg91mIPuKcZptEfX66WY7mGaMtreb9DjawXhnwNdl0RQpthObZ/g449mH1Ff4KOcF+GZS5fnV+E1JWrt5yXkph+' +
      'V3RWSYBSbsJ4YNx4OOFlPcZrTaV1knI8wVIWpnk4lZBMM49VT55QgLhJmqgzsIsZj3gMbG8QR59lOK+EU4M8YIYwYbRaa4Nrei1z' +
      'q3Jz17xwr51jhH5cTGBoN2t9SaWeQ8R+L9Q8UdFPfMdvm3s7rUIelEpWhVB4CHEWPYUdlqYou5Aj0GwamHQMYoEOS6NoNqmJJXk7' +
      'Ko8cROUoZ6ZRjSyGt4Vi2eI4qJ0wdmQ7QE14JVemJonDJ6yEKMgUZNozqudppIQ5mjIlgx5zdRKiCHEWPYUdlqYou5Ak0GwamHQM' +
      'YoEOS6RoNqmJJXk7Ko8cROUoZ6ZRjSyGt4Vi2eI4qJ0wdmQ7QEx4JVemJonDJ6yEKMkUZNozqudppIQ5mjIlgx5zdRKi',
  },
  {
    kind: 'area',
    dtype: 'float32',
    srcH: 8,
    srcW: 8,
    channels: 1,
    dstH: 4,
    dstW: 4,
    seed: 21,
    expected: 'TQq0Pnopiz4RN9o+XEMYP6zeJD/qig0/JLl0Pnw1DD89jgU/BT6YPqqj+D6PHPc+2sYhPx3wYT4u6Uk/flHlPg==',
  },
  {
    kind: 'area',
    dtype: 'float32',
    srcH: 12,
    srcW: 12,
    channels: 1,
    dstH: 3,
    dstW: 3,
    seed: 22,
    expected: 'r3QBP6Qj5z5ymyw/Hb3vPsao8j5EURQ/2hUFPz/Kwz4DBNE+',
  },
  {
    kind: 'area',
    dtype: 'float32',
    srcH: 48,
    srcW: 32,
    channels: 1,
    dstH: 16,
    dstW: 16,
    seed: 23,
    expected:
      'Xt7vPggBBj9ACdU+eC4YP/406z5CUA0/KgoZP05vwD4yOs4+Ur3+PgYH4z60vgs/vMDUPjt58z4agLU+/ikAP8AaGj8ASBQ/moIc' +
      'P/hRoD6qrSU/yEAPP0556j46NVE+XmAbPz7VGD8K9sQ+VP3bPpKBNz8Wex8/Eh0dP9tmnj4GJdM+UsUVP4bvyz5gJLY+sD0HP1C7' +
      'iz5UzAc/Tk/SPqZ3wT5YXK4+tnUFP6Ay8z6gaxM/k7wLPzpxrj7GhfA+P5LpPlPWHj+Prds+FHIkP8vPmD4cs/c+YwKsPln5BT/M' +
      'TAI/IBwGP5e7CD+nFhw/3jsCPxeJAD+sWgA/ZmvePti3wT5fW8o++7wxP6P2nD6iSRM/nCPlPirxzD4R9R0/9oUMPxunEj/+6Rs/' +
      'Wv2dPkQf6D7qe8I+2+vMPog+CT8+6D4/vCgVP2uPtj6WYAc/bwDMPhS5DD98ehY/zqIlP/ez7z5wLAs/KuffPnJd2j6ACIo+BHG6' +
      'PrMnLj/Dyvk+bAsMP0b0+D7ofdU+iVQJP1P+Dz8UBPI+1J3ePpCKHT+2Ifw+yV4fP7F1DD8+CLs+Djc9P9ZWij5Qxfo+Q7IMP8di' +
      'MT+P1DQ/GoDDPlq+3z7zCx4/sHQHP2Mm9z5bE88+KeWJPvs26z77xfQ+FmPQPmHFED8H6MA+mt32PictBz+qCwQ/V5VOPwKTGD8s' +
      'Mw0/GfEIP2CH/T5WyeM+9PriPlOOvD6M6io/R1zdPk7Twj7mITU/9sQXP0Yo9z5mMxw/vHgaP/KIoT57Kj4/htgUP+BAwD5gTBw/' +
      '/TUKP6KYCj+GAuU+9lMoP/To6T7naP0+Q78LPzT3lD5QNfo+Ak0yP1I57j6gFDk/es4CP46sGz+WbpM+LtjSPtR5KD9KxsY+x9HW' +
      'PiBq8D6sKBo/75kBP0wgxD5C9SM/X0orP0xXET8cagg/Qsb3PlMcGD/y4Rc/rH0CP3zVED+7Rbk+Wh/GPrs26D5f1uE+cCXZPnD3' +
      'DD9zDuM+RY8bP4fWuj6cLw0/JFL8PqYasz4IXAY/YAHCPuiQCD88Owk/a04NP5B7Jz8ItiM//igKP+qf9z7sqfQ+9LFTPqNRHz9Z' +
      'xRY/NxG2Ph9D6D42Gwk/1lWuPnQ7BT+oYxs/r0rVPvuI7z7NLgU/4gAoP/vsuT62fQM/2I8EP/EHEz8G7xM/nqAGP0B/zT48xhw/' +
      'ONTFPqp7FT8k35I+RBMRP/CMhz7XRLU+yGK5PpZuRT9Zt5w+o3LWPtAK5T4oQ70+iImpPr/vMj+qDvs+xIkWP15XCz+HLJs+DCUp' +
      'PxC9Kz+Sot4+iYUgP1fB3z4nxwE/jGAPP3P1Gz+q0Ng+zwKtPjIwCT/HSps+yyTxPg==',
  },
  {
    kind: 'area',
    dtype: 'float32',
    srcH: 10,
    srcW: 10,
    channels: 1,
    dstH: 3,
    dstW: 3,
    seed: 24,
    expected: '0TK1PlafID8cxig/mirtPrlhxj4wfdI+WhPoPosH5D5+YBU/',
  },
  {
    kind: 'area',
    dtype: 'float32',
    srcH: 50,
    srcW: 40,
    channels: 1,
    dstH: 16,
    dstW: 14,
    seed: 25,
    expected:
      'OV4NP7Lkwz4rC68+5pH8PtucCD88CiU/RkM7PyS+GD8B/A0/gKQJPzO9Hj/TSAs/88nmPgwZBT9nm9Q+Ikz8PmiP/D67ya8+poe3' +
      'PqU9mj5uvww/lK4DPyx/Ez/kcig/y0b+Puy3Az9Rp7c+lFjfPlLT1T4tEBk/pewoP/Co2D5Hn9I+3oHRPuzuBT/T0vk+QkcGP5kt' +
      'AD8xA9A+LnwiP7HX6z6olfA+dpwmP9qVGj8pO+Y+YcwFP0EiEj+fDgo/pK0ZP3Ml3j4E8/M+2UoIP+WNAT+bcxI/ukMFP6RTKD/F' +
      '6hY/hGUnP6c03T7YHQw/BKvnPgHCEz+w9vw+AYTGPhQU8z4DhPc+QToZPy9B/j7YrxE/e3EDP3aaDj92uuA+4iQZPzFzAD8BQ+I+' +
      'DtMDP332Aj8SKwM/U+i9Pu3f8D60vAQ/LjP9PlkL5D4d8Ng+sd8RPzb1Bz+10fg+x/kFPzeO4D5A8fs+NK8bP0D5GD/GHw0/Otri' +
      'PpMZAD8pjQk/QDeiPiCf7j4YyOU+f8/jPhjCHT96IT4/LFXYPtzPyz5Sb/Y+qbEFP8FF0j4jAPc+LvmmPrhgAj+aKbQ+iO4nP1wE' +
      'FD+o0AI/W+j8PoKVBj+PeOo+IJrmPsc9LT8y9bs+R6sJP3h1Bj9gnMs+xuwnPwzmAz/8Wto+wXLaPqVG4T7ekdQ+UCkdPz0s6D47' +
      'kro+ksqePsgErD5V1N8+NQ4CPx2EDj+GH/w+AafxPkEs5D4NaeE+n5MGP/lcBT/Hzw4/5crTPlgGwD4WX8o+FUwMP4NZ1T6QP/M+' +
      '/J2wPuRp7j47ZRw/HJQOPyU/Bj+mis8+3K/cPkrl9j7BusQ+bUz9PjHCGT9sIgM/0dr1PpDf3D7+WuE+HJ7sPvctAD8aeSA/HF/2' +
      'PqCCAT9b+OM+WND6PrL47j69ef0+7JoEP2QU5D5ZSiI/1RUKP9ef9T6yswc/mqEDP00j+j7SCCM/9Wn7PiIK0z67UN0+aB7oPo4M' +
      'Bz88LwQ/MsAAP3inAT8YZSk/LhcRPyh00D623to+tmYRPzFo4z4p5yY/qHEAP4kOAD86swA/7qkiPwRe5z6a+bA+lK78PrrWPD8J' +
      'dRE/pqskP8696j5gfe8+TFvnPmdbxT6ikvI+OywOP83rwD5DVsc+YvDRPuibED/DWvw+yq4yP9Sanj6WAxE/CEABP0AWIT8=',
  },
  {
    kind: 'area',
    dtype: 'float32',
    srcH: 37,
    srcW: 45,
    channels: 1,
    dstH: 14,
    dstW: 14,
    seed: 26,
    expected:
      '/pHIPogi2T7QPwo/rNW0Psb3HD+0AvU+zbfnPhYX5z6YE/8+hMm0PmwOtj71tRg/k8LQPrHQDD9I8qc+cZzePogq+D5bzr4+kMHx' +
      'Pm3kKD+1aew+Ip0KP6Z73D5zzyY/m1gBP9lR6z7eKxU/KWIJP3wLHj9Uo+4+qE39PiJAEj+clts+xCAYP1hq8j6g6fE+/GwVP2rT' +
      '5D7Um+A+JIDhPuAD6z6SNg0/iZ7vPt2iyz7FMPs+BFbNPiXzIz95Lws/+gLmPna3uT6yYuc+VqUAP46y4j4o6vQ+JsEQPxpT6D4e' +
      'sQY/C6jrPpagBT9wMg4/QkMWP3HaGz/rqQ0//Z3HPrO+Dj/cHwk/89kBP34BEj87c9s++2v5PtBkGz8Re6o+RrjWPrLHDT/2/v8+' +
      '9jq8PmZ4LD/Sfgg/TowKP0BUvT5Yz3M+/1f6PnHUDz9NqRQ/GRcPPygI2T7PzMw+VlEpP88uBT9QexA/OVsSP8Nl9z5/AaM+Je4n' +
      'P6Wm7j69Ds8+/SbSPj62ED9Z7N8+hQXkPv6Y/T7XMBU/zXPAPgXkAT9YPts+wJjCPkVQCz/LDhs/v90YP947yz5mOQc/sSwPP/B0' +
      '8D6l6hA/XrgJP+ZH4z7hhTI/jPUdP0dmET+zLAA/d8zWPvlR/j5CYv0+RXL8PgeRFD8N6ZY+FtzNPj4f/z4WFDI/VbQWPyBP/j4P' +
      'khs/oQkbP4odAT/6BIQ+ItLSPp3a1T49o+Y+d6fUPk5nCD+tY/o+DmvvPpIBCz/Wn/4+J5MFP2fHHj/ojPY+zWrTPvu7Az+jtgI/' +
      'aWC1PpfD9z7wQPM+q9n4PjaX6D5a9RQ/Kt0DP81hAT+VXig/FFfgPtjTAz8hHhI/eMcOP5fSBT9A8eU+6nvpPhIVCz+Z3+M+9AHx' +
      'PpqFCT/s2yo/09j0PrN9Az/uRf4+4U0WP6gV+D7Lm/w+D+MVP3oE4T6ls4M+OCbUPicSGT/ykug+ehG3PuYICz/qmRc/gI8CPwjW' +
      'oT561ck+iAu7PrIaAj+/cuU+l1AOPwdP/j72ufA+PMsJPw==',
  },
  {
    kind: 'area',
    dtype: 'float32',
    srcH: 30,
    srcW: 20,
    channels: 3,
    dstH: 7,
    dstW: 9,
    seed: 27,
    expected:
      'dtPwPo49CT9GK9o+ghAQP490BD/BiPw+LWXtPrGLFD+jKfc+9PAVP3zXwz4Z1KQ+8RvOPlMtwj5i/RA/IWjfPsT81j79Yfs+WCkG' +
      'P9mlAj/Gcvg+PE3gPnhM7z5HNPQ+k7sOP/TFBj+WWu0+iP7RPnpFCz9UABY/VyQFP3Zg5T4Yv+0+fDcEP1veIj/Bxgs/sn30Po3n' +
      'vD5IN9s+le/2Psq+8z6QehQ/tXUBP6DD6j6eHQI/XbElP1f1Fj/rlNY+uCTtPojn2T439Q4/wsAAP5dklT40QOo+6AYLP4X76T6g' +
      'ovU+x+7cPjouDD//59s+dP8TP6AKAj962Qc/B4ASP+wZ9z51ePE+gfXUPhJH4T7sggw/77wnP8AV3z7uwRY/BTkZPz5j/z5mOeI+' +
      'f0/DPnkAAD8WbdM+Kr8XP/sDBT9EUBc/vJvJPupm/z7cdho/lwr3PuO3FT+9aQs/qrkLPzTe9z44gRA/OKzEPmPk8D5Jtgo/rFAc' +
      'P2QP2T6QpP8+7D+5PlK31D4k/yA/NuEGP2eg3T7aaec+VCkGP6BRBz8W0d8+69wcP9e6zT7gGyE//CDcPpzJBj/lnQE/UEAHPys0' +
      'Cz+ln+I+PoPEPkguPT9u2dU+gD/6PoMwFT9Q+tE+uALTPqgp7z7YMBY/xynmPqxxBD86y+U+o1DNPi+v7D72JOY+4G3gPjd76z6/' +
      'UeM+Pn8UP/ew0j6oPR8/mIQDP5sKAD+AGgE/LC/GPu+3xz6eavE+9ScJP3dyNz/FTyM/FLzmPhl2Gj92ghI/cIDrPpzZEj9X+84+' +
      'E7TePhHK+j6oYBU/SvjTPhwGBz/22xg/C7nMPuLMoz7Ej/0+BpKrPvVL6T5EiJg+gNsUP2M99j6Qbfg+gm/HPgPEIz/GF9Y+vvjd' +
      'PojVDj8TzQc/GKj2PlDqJD9h0AU/1li6PqMv6T68lAk/S2ELP6zICT+kMyg/0Zz9Pu8WIz+KOgs/iHr3PgcyFz9TngU/S04LP0Qn' +
      'Mj/mWgI/',
  },
  {
    kind: 'area',
    dtype: 'uint8',
    srcH: 32,
    srcW: 32,
    channels: 3,
    dstH: 16,
    dstW: 16,
    seed: 31,
    expected:
      'kyege46e3Wl5hjl0a8BgTYRhWnKWgESbsGCLm3GIKkdfiMSEas2Jb3nGapupl6Nzfk+Ginq/W6m2UZl1hUaunJSVi12Wp6GNk2px' +
      'Y3yPp3WELzSYX26Sg5mLiZSMc3bMloSFSF2EdlRlsYSus3lmvZCXouBHbX93XmNYmLReVFtyhnpAYIaadZOCv3lFOCpXcZmkUlmp' +
      'YKlJfKe6goOGRXVeiVKmYqZpmJB2RW2kkWldVLGGbG5QiFFQZJLBZXaVZaNqgpGsiSgli3Jyf5ONhnqdqUxtlJt2hnXEdnhMwI92' +
      'onp1gMVkf3yblGZqeZCIRrVfdGhKYpJ9NFNueFR7VVyLK6dYU2WvbFZ4dqhFgX+zNjKVmGWEXkCHpb+stK9wqqWJhL7BXWiVT3eI' +
      'enKQQpNdeHqirYukkLeJj858d2eFl3avc2yhqId6c2VxlYlQpodwi7eNa2hvs05akppJpFuGe16GdJFnOFxvjX6egnhgjmeNjTZo' +
      'n7qZld8lm1NoTi9bpnVsflSNd8V8jbini22/m2s/dH+Jp0uhfMmYhWR4n2J4ZJ5KSMWKZ3ZzRYS5uXCScFqchmt2ckqIebhqjYV6' +
      'Q3iJP1udpceXpsFXXph/lMR5dIJ1ZZGxf3PHVFNFPKBchIjYda9qe8xXo0ZPu1uum6Cfo2txdtTHV3pJcUdotG1afD2aOolzeF2M' +
      'hHZObFJ/vaKgfZ5ta7mDl49XaqvQTrk9r3WZX3com8ScX2FphnvjeGymile4bH2tV2JTXpyEd0qvjnqDmICkpT6AbG+Vg11cc0Bl' +
      'ZXOze3N7iJVykEyeZWuLmaWis9tVi4+YaNCxjGJEmYNumY6UV0HKVV9ypGJ5vZJmjo5ehJlVj5N4mn6UQpa1qZ1YZn9wYHJcXsSO' +
      'mQyakHlzx5JsfYN0t3ldW6KQnXGun4thgodWk41urW+OS4mWfap/YHIolUJhVotieCqxZJxUdnqGojG9p3SK0XVaY+OPXi9yfpCs' +
      'd3KHjn2XfaFbmrV8eLxpqXSo',
  },
  {
    kind: 'area',
    dtype: 'uint8',
    srcH: 50,
    srcW: 37,
    channels: 3,
    dstH: 16,
    dstW: 16,
    seed: 32,
    expected:
      'eY+Mhm1wZ2qndYNdjopuepSDZJ5Zn5Byh45wgXmKZ4KjRoy1WHmAb3OCtJ2kYHF+hJmhg1dukj54sW+XcWWel5iFpnhfnYeMdVqF' +
      'kHhyfWeGkoJzeY5xnHhvYIadfId9OY6WU2uHlHSMa22AeoebhZh4g4W0gmiDfn1tfHiBX2SMfnB7V5GclbJbWHaDmZWAaIiDY4Jy' +
      'gm5odIiBjnmLmnuFd5OcaK2MrGmVmHqVcG6eeZxjdW2Xe6Bug5u/iIp5iZSqnKeuXkJsqpGkf5Nxc32dmH1we29uhlt+m4WTiHN5' +
      'j3uLYIGgb2VdWbl3aomTc3qNcZxQsX+YeImXpmWAb02WlWCXeH1ldYxukXx7jo+SkGyffViwc4OPh2x0b6CcgZF7l12auX9cX4Fr' +
      'hVaWaXKviW2IqnlWpZiBXZyHgWCrjYJagYtugWR+kompmnmCpnNoZo2QY30/nnWFgXl1dpqiWZWulnOSgHCBYYuChHJ1jnVhuJCq' +
      'W5iEaoODlIBwSV2tbK9jd6V4cnBznJxzqZGHZWGTkJxgkZuHk6OPdnlOWHV8a5STeLJagI58lW0yfH2QlZNFf1SDY4WVgX+Df4Fu' +
      'fF2oX2F4cmiheZilWYdVaE+HnnmZg6B/g3C0fG9xs4uKpHuHmX1jYot4WZB+glhwhVdXpWWAfW+LinNyfHGhlp2acJCGhIqdkXdu' +
      'fnqPh4SVX5CLk49soJWLgW9maFx7inlunJxZro2SqYWkiGmCY3eah5eQZG+IkYiKbW2IfG96apJeaIWEkXxzkpOCqKKtl5iNglR5' +
      'SZWNWZByX4J9arKkTY2kiJqFe2FSZZxrpYukb3yniotuXneYdJ2ZQlSkkJSaZ199dZaKjoFgin9MYIFyZ4a2ZnF4f2tveX1wjGl9' +
      'aIuSkZ58fIaJZWWCc3d2mIq3dHV0bo9jan6GdnGOfoZmk3Wch4NkoaNclGGMWHWCfH1ojo5ijodgdZB1Uo6JknuUdYZ9m5aeb6d/' +
      'hmF1j4Z4nIpvlZVbcHFwUIBw',
  },
  {
    kind: 'area',
    dtype: 'uint8',
    srcH: 56,
    srcW: 56,
    channels: 1,
    dstH: 28,
    dstW: 28,
    seed: 33,
    expected:
      'OY1ein1vipayfVBid5uQhGkytVuLWniEX2xQTohHVqqNyzZ5cLdBbWynibKLm49ldX2mdKhWiGVhZ29sUahum3h4gGRxoo9ePbNY' +
      'Om+esEuCkHVnhLmHeZVolcZ2rUymqXlPrWuZwHx+f5qbpnbIiX54cnRLc6CVlWCJeIuJdoWsdI6hcIecpGdhu4e6mI6EWoSivoyE' +
      'WFRzM4GZVIZziiaOa6SIcF10TpdRaay2YWpvh6B+cWyPfIV+l4ylb5Bph6JqiE2Qm8mCWaJ9f6Khz1vKbqx9xKxDZ1hxX29dlHKY' +
      'h8NBgj98rXmohYfZlm6spol9o22YamBphNiqK3pqdIOMZotmWW2cPVyxiCddfIaKdZOGSIMJfLF0il1lSYkasG1FjYi8ty51t1Z8' +
      'dnJYe55kpZ2Om4RcWq9Mm+dojyyDdXI5YIs/XaBrQ4SKlqJ3OHy1ibt8a1xdqrh3i36WRqiWxZi6mZCYRYl9fHyif4OTwH+NcHql' +
      'XWJNpbyFMl7Aims9K3l0kHSZop5/dGySipmeRBh/a4VkfiE4on1TVoCJapqNiGx5WYSmcm4/Zdt2m8aKdHijjZGzlEt6ZqdUL45a' +
      'bqSPV7pkhHhYrol8iqPDf6x10ZV7qp9lgIWPwmF4knlodZtqZm18cWs1LZmOn5GuhB9tZrhSmsOVh5Pqq5mOjnNm3lc2jNCBZpaS' +
      'fJm4iYeAgXyXb2jrOjCGWHpJo53HYrujvm1mp66JcTdSk7KNZpKol3t4gm+lm1V9jKiTiqV4dGpWV7eWiXaNhI2oW4qUorGXrZOk' +
      'pHKRcmRlgouGd0d0NnpGkIR6cW18joCmrm5mP7BZiFefWIGtzplrYaCPSp9rcFtwd2SjssPLYKuChGivhVCzYkiVeFdsmoKYZmGJ' +
      'bG1TcLaeRXWTj2jMZEytrYpAadOdTWpzW354J7GEradxloZUmrN+Y3Noqm9rlEKid2RXf2Joa3pmpqR+kZ2ydKp+z3dzWmpxQIuV' +
      'nHyP1XCPl4mymJKgaoKTu2SEwsmJrT2MdE+eZJddN0OGtg==',
  },
  {
    kind: 'mixed',
    dtype: 'float32',
    srcH: 10,
    srcW: 40,
    channels: 3,
    dstH: 16,
    dstW: 16,
    seed: 41,
    expected:
      'Z4Y2PpIdOT8Ojgo/7OgkP1xpED9C1Qs/krAfP/JlEj8qU0E/Xh/1Pm42Fz8Q2N8+iKbUPirg4T4sRDE/0gkXP2YxCD/cWDk/bjGs' +
      'PjKQtj75EeY+ENoMPw/WGz/A014/rBwfPw6CJz/FZ7A+138TP9gs5j4Zdzg/c3mTPnsi8T6kWG0+/3vyPqI/Xj7KWKA+dl4cPyl0' +
      'CD+kEw8/heUBP+xsLT+o8RU/tJH4Ppgzaz6FvA4+BCYfP2bPUT+h8gM/9WWvPi42HT/Tfcs+SPEAP4bPAD9fxxA/k+gWPwgbCT/s' +
      'kAY/iS0KP8LX9T5T/Q8/cEQMP/PB7T4mC/g+hpAlP4LM4j5P0QQ/WDayPomE/z6Z27U+mmEMP6hQ+z6+1jg/hosWP3SDDz8FNsY+' +
      'FnQdP03Y+z6XmAM/ZFi5PhEp+j5awak+/J0FP+qU2D7+8cg+FXPxPmbIvj4qNtM+EvIOP16cKj+2eik/dDAAP43Dwz4W+Tk+0D7p' +
      'PjFMKz/EfQs/IP0GP2s+8z6Glmw+Tq+sPtLu0z4XexQ/JB0QP3gk/j7llYM+21wWP2hDtj5f/To/kuMyP59m+j5ExHE+JpMzP3Jb' +
      'rz4MaIg+e0W/PvHXLD/B7m8+26gHPwhOrD5b9gY/r1ULP9zu6T5UuOA+OyoqP23jCz9es5I+Ns7pPkSHBD/qOfI+1X4SP2z2Lz9f' +
      'pvg+H0mqPmkTOj5+unE+6IwgP5izIT9UIT0/VVAGP6FpET8f4oQ+0R6BPhI+6z5e0A8/XgaGPjr6+D4O19Q+ro71PkA3nD5K0/M+' +
      'oBE9P0w0Ej9xhwU/N9qOPnH6CD/JsUw/87QAP6YQ4D4obdo+hekEP34P9z6C4MI+Bnn0Pn6yGj+z2XE+a/y8PnQ5nj6pPPk+9WAJ' +
      'P47/Hz+kc9E+iEwpP/89DD+toyo/HH/nPtH8FD8gFRs/D1joPkq9Lj9Ot8s+Kps7P1V6qz7E7bQ+XtMoP0WY2T40eAY/G1sRPxZ8' +
      '7D7Z5v0+J2S1PnQJmD7hGrQ+Jj41PnYw+D4eguE+0HkXP806vz5aAgM/dLg1P8x9Aj/6xy8/ToikPlwKGT/WBCE/6sDpPsha0j6p' +
      '3Q4/cnzHPghN+T4NgQE/zjAPP18n6j7WN4g+PDK2PhU93z4DrOQ+NmgMP8i4GT9G99E+/A8BP/KaDz+ICEA/jLHdPjx3Gz/5CRg/' +
      'wDP6PnQtHz+qULQ+/D1CP2c1zj7Mq/o+cCMoPw8MvT4JM+o+2QwXP+KZ+D52bCY/X0nKPhjfwj4kk5o+XsSLPh7h8D5xTJw+EW8s' +
      'P718Hj83xS8/RCP0Pnjdnz6NjEA//uE2P3NRCz8Y2l8+GGYPPwdF0T5RZiE/hiKgPg4Utj5qZiQ/nn8ePxfubz5V2KU+KvP6PnSs' +
      'Nz/DOtA+c2sUPzdGxD48Q+I+YNJFPkf6FT9CiAk/hWXMPoT2Fz/99t8+XkgtP+lGAT9ycrI+DRrSPuk6xT6tCyU/Hn0eP43C7T5E' +
      'BQk/kGUXP1OWIz8u3Dg/e86/Pn/fNT+DCdM+3li3PgwCmj5WYw4/J/LTPmhoBj89bjg/neMTPwhWCj9BpBQ/ZegnP0ygAD8xHQY/' +
      'zKgMP5r3zD4Y8Qw/FcxkPqbA+j6KIz8/WtgTP7eV3T5/s7I+NCoBP8RNLD9PMvM+8GcSP2HtoD7Wieg+HHzOPlwMMj+4g9Y+Ol4F' +
      'PySh4T6iA8k++6a5Pi1qKj+0XbQ+UvMHPzavvj4f4QU/PkIhP3Bt/D4sEyE/pbDPPiQGSz9lDQ8/LN0DPxwtID9qMec+88XRPoYM' +
      'ST7glDU//JKXPtjI4z45eTM/uwcuPwZJKT/qy+k+HpUQP/aFAT9dljo/SycKP8d77D6UdAw/2DVqPv9OED+yiFI/fGnvPuZAEz/J' +
      'yMA+eKfxPnkoEj9fYwk/2EsKP5gioT7gTvs+ZAQZPx6uPz/v37o+PbglP0kfuz4/IN8+KPVaPiBcRj8LEbY+QngeP+1b0j4059Q+' +
      'czsgPxqXAz/62yQ/KH2pPoIyUT8tTNo+M9AiP7iFCj9CTgg/w53FPqaSkT7FtQg/NugYP4d4+D4mGhg/tsIyP47Z1z62RAE/xL0D' +
      'PxKtHD/fpQM/ZscPP580MD+grUQ/GoDqPkRc2z6k6FY/nf1lPoqE9D4gFNY+4MK4Pv5T1j4vCw4/pB/tPpGl4D4D6hY/stgePwH/' +
      'JT+8dt8+coE+Pzz4AT8fyCc/w90UP9gaMT+ORrY+4UwCP79KET9/PtQ+iiATPyTQCD8WjfA+sHIQP4m3CT9Indo+SmMrPyN8ED8M' +
      'hzo/9IkPP3TknD6yWSE/TZb3Piy8ED+aAgk/jaERP5ppAD+hWwc/LK8VPxAiLD/qeNw+9FIFP381Dz9u2Q8/G8HAPutCoj7oHy8/' +
      '3XfBPumcDD+HEec+ueNvPgQCsT4J8Oo+pm4EP9fsAD/hsRE/RkYEP66o6z4+F+g+7F5DP3SK+D40wzg/avkOP4gGFz/x8Ak//RnX' +
      'Pr6GFj965PU+UDvxPj41Az9gjiQ/6R4cP7zmBj/fM6Q+3tflPjS6Nj+WeCw/bh9KP74rpT4vrUg/o0J6Pvk4Jj/Qdv4+nUjTPqR3' +
      'NT8NSQk/ILIqPzp+Mj+apNA+lUn4PoFlnz66tYE+TnRbPsWoZz6Kh/4+xpsnP79xKT8Ep/s+u/bxPegBpD6laqM+JmsdP2AnBj+y' +
      '9/8+SXXBPk5xjz5AmOs+R3I5P2gD2z5S5jA/cgfRPjkiAD+/Kz4/Y2q2Pq1xBj+HOgo/fu2xPiBu7D7TiWI/1mUXP1K7IT+8EUM+' +
      'hcQlPig0XT8bLAc/Cmg9P54WCj+CHdA+jB70PgJtHT+q1Os+RPIVP6ftUz9V9fs+iivJPs4XFD+gHtk+TnU8P43QuD67/yo/JoAG' +
      'P4wEbT6+DDE/+e8DPyy9+j7IlyA/4rkfPg4G1T4FF2g+TtQYP27zvj7p0eY+KMzSPsjbAj8jbBY/w4HuPgqULz/0lME+XrseP6OJ' +
      'GD8dOt4+qTzfPrIqdD728JI+ugR7Pin+oD5QJdI+BmA4P+6GPj8HqIM+42yDPvtGCT+wnwg/FusbP4HeIz8vVGU+skQVP+hGAz++' +
      'Btw+USswP8AgJj+B2+k+pHC2Pijs8D6J/ec+qX9NPzGc/T5SnUQ/Jv4uP+Sorj5OsSs/P9ECP5DulT6P7i4/LY2tPkprCz8BerA+' +
      'brT/PmgWxT7dCew+pQrBPrjXID+a3iY/P1C9PoSVNT9403k+5sQ9P3+uEz8D+as+Bu8LP4YgmT7wQbY+4l6jPmKCkD4kN68+3r0r' +
      'P9p1PD9G4o8+gkWwPkq9qz6SEg8/JFHLPojtHz85AHI+7DAQP1aNrz4NDc8+dU84P75DMD6dRNw+yZkOPxgyvz5VQf0+2kMvPzfk' +
      'Nj+jsw0/ElcwPx4kDj/oYt4+mD8kP6vekT3W1yg/MccqP7y5ND8RWyw/wfmkPthbDz/Hzwc/vTCMPnisIT+EIyc/AVDfPkgM/z77' +
      'ypM+UqBFP5kh4z4xlOU+RCcwP3ECNT/9Mz8/hsERP8z6uj6RJC4/t/7iPhiIGz+cN4Y+IGzZPk72hT7BhBo/xBrbPtIhGz8+4/M+' +
      'As8bPyI19T6enww/lrgEPzGagD7RwxM/SLkIP1YKsz4K5AI/C1YIPy0oHz8uASk/nJccP1Q+Bz+oaA8/tqMiP9dKUT4M2NU+ElIc' +
      'P/y/IT9ktA4/SIP/Pkr2GD8UIw8/FRoGP/4NAT8Dfx0/Vka3PiLq9D7q2dc+QloSP6AMHj9ZVjs/0psPP7khGT+Efgo/4sIFP2Gm' +
      'iT5WxSg/WHDfPtr14T7H7L8+S1oaP+mypj4o2eM+/9LvPmm1Fz+mfCk/Rj0lP04TGT9s+yk/8uy3Pv4Qsz7VjzE/DygAPzR0rT4u' +
      'YQU/r9HYPqFVCD/egkI/wSANPy47+z7CKy0/tckeP8R/pj5K8Gw+14oKP0bHDz9QM+I+Yn4mPxryHD9icxM/sPA5P0I9zz60+RU/' +
      'an2VPkFx9T7DgAU/ULnTPhxNQz/vhXE/RvXmPpym9j4BbrM+xuXuPkj1Pz603B0/sLvlPjnkpD5/j+0+WkA8P1oZwz7A66I+',
  },
];
