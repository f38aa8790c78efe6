// Where the person is: a city picked from the list (with its centre, for
// nearby halls) or the browser's position (asked only on a click).

import { t } from './i18n.js';

const KEY = 'yuesou.location';

/** The 21 prefecture-level cities of Guangdong with their centres (WGS-84). */
export const CITIES = [
  ['440100', '广州市', 23.129, 113.264], ['440300', '深圳市', 22.543, 114.058],
  ['440400', '珠海市', 22.271, 113.577], ['440500', '汕头市', 23.354, 116.682],
  ['440600', '佛山市', 23.022, 113.122], ['440200', '韶关市', 24.81, 113.597],
  ['440700', '江门市', 22.579, 113.082], ['440800', '湛江市', 21.271, 110.359],
  ['440900', '茂名市', 21.663, 110.925], ['441200', '肇庆市', 23.047, 112.465],
  ['441300', '惠州市', 23.111, 114.416], ['441400', '梅州市', 24.288, 116.122],
  ['441500', '汕尾市', 22.786, 115.375], ['441600', '河源市', 23.743, 114.7],
  ['441700', '阳江市', 21.858, 111.982], ['441800', '清远市', 23.682, 113.056],
  ['441900', '东莞市', 23.021, 113.752], ['442000', '中山市', 22.517, 113.393],
  ['445100', '潮州市', 23.657, 116.623], ['445200', '揭阳市', 23.55, 116.373],
  ['445300', '云浮市', 22.915, 112.044],
].map(([code, name, lat, lng]) => ({ code, name, lat, lng }));

/** A city's name in the app's language (`web-city-<code>`). */
export function cityName(code) {
  return t(`web-city-${code}`);
}

/** The saved location: `{kind:'city', code, name}` or `{kind:'position', lat, lng}`, or null. */
export function getPlace() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (v && (v.kind === 'city' || v.kind === 'position')) return v;
  } catch {
    /* a damaged value counts as none */
  }
  return null;
}

/** Saves (or clears, with null) the location. */
export function setPlace(place) {
  if (place) localStorage.setItem(KEY, JSON.stringify(place));
  else localStorage.removeItem(KEY);
}

/** Search parameters for the saved location. */
export function placeParams(place = getPlace()) {
  if (!place) return {};
  if (place.kind === 'city') return { city: place.code };
  return { lat: place.lat.toFixed(5), lng: place.lng.toFixed(5) };
}

/** A position for nearby halls: the phone's, else the picked city's centre. */
export function placePosition(place = getPlace()) {
  if (!place) return null;
  if (place.kind === 'position') return { lat: place.lat, lng: place.lng };
  const c = CITIES.find((x) => x.code === place.code);
  return c ? { lat: c.lat, lng: c.lng } : null;
}

/** A short label for the saved location. */
export function placeLabel(place = getPlace()) {
  if (!place) return t('web-place-none');
  return place.kind === 'city' ? cityName(place.code) : t('web-place-current');
}

/** Asks the browser for the position (the browser asks the person). */
export function locate() {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new Error(t('web-place-unsupported')));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => {
        const place = { kind: 'position', lat: p.coords.latitude, lng: p.coords.longitude };
        setPlace(place);
        resolve(place);
      },
      () => reject(new Error(t('web-place-denied'))),
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 },
    );
  });
}
