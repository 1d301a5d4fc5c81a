/**
 * @quichs/quic-transport
 * @packageDocumentation
 */
export {};
export * from './errors.js';
export * from './recovery/rttEstimator.js';
export * from './recovery/sentPacket.js';
export * from './recovery/lossDetection.js';
export * from './recovery/receivedPackets.js';
export * from './recovery/pacer.js';
export * from './recovery/congestion/congestionController.js';
export * from './recovery/congestion/newReno.js';
export * from './recovery/congestion/cubic.js';
export * from './recovery/congestion/createCongestionController.js';
